package io.parley.platform.calls;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the dispatcher writes, each step its own short transaction (see V4__call_dispatch.sql for the
 * protocol): claim due calls, begin an attempt under the claim's fencing token, record what the carrier
 * answered, and resolve attempts whose outcome was never recorded.
 */
@Component
public class DispatchLedger {

    /** A call this dispatcher claimed, with the claim's fencing token. */
    public record Claim(UUID callId, TenantId tenant, long token, Instant scheduledAt) {}

    /** An attempt recorded and committed, to be dialled now. */
    public record Begun(UUID attemptId, UUID callId, TenantId tenant, Mode mode, String carrier, String from, String to,
                        Instant scheduledAt, Instant at, Snapshot snapshot) {}

    /** Which carrier dials a call of a mode, from which number. */
    public record Route(String carrier, String from) {}

    /**
     * What the voice runtime needs of the call and of its persona as it is now (a call runs on the version it was
     * dialled with); {@code flow} is the persona's steps as JSON, null for a free conversation.
     */
    public record Snapshot(UUID personaId, String personaName, String personaKind, String systemPrompt, String firstMessage, String language,
                           String voiceProvider, String voiceId, java.util.Map<String, Object> variables, String timeZone,
                           String voicemailMessage, boolean record, String flow, java.util.List<String> tools, boolean childSafety,
                           String bookingTimeZone, String settings, java.util.List<String> memory) {}

    /** Why a claimed call was not begun. */
    public enum NotBegun { GONE, DEFERRED, OUTSIDE_WINDOW, BLOCKED }

    /** An attempt still dialing without a carrier id, recorded before {@code createdAt}. */
    public record Unconfirmed(UUID attemptId, TenantId tenant, UUID callId) {}

    /** What the reconciler needs to ask the carrier about an attempt. */
    public record AttemptView(UUID attemptId, String carrier, String to, Instant createdAt, boolean unconfirmed) {}

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final DoNotCallList doNotCall;
    private final io.parley.platform.billing.Entitlements entitlements;
    private final TenantCallSettings settings;
    private final io.parley.platform.callees.Callees callees;

    public DispatchLedger(EntityManager entities, TenantTransactions transactions, JdbcTemplate jdbc, DoNotCallList doNotCall,
                          TenantCallSettings settings, io.parley.platform.callees.Callees callees,
                          io.parley.platform.billing.Entitlements entitlements) {
        this.callees = callees;
        this.entitlements = entitlements;
        this.entities = entities;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.doNotCall = doNotCall;
        this.settings = settings;
    }

    /** The persona's own calling hours, in place of the tenant's, when it sets them. */
    private Optional<CallingWindow> personaHours(TenantId tenant, UUID personaId) {
        return jdbc.query("select settings->'callingWindow'->>'start', settings->'callingWindow'->>'end' from personas where tenant_id = ? and id = ?",
                (rs, i) -> rs.getString(1) == null || rs.getString(2) == null ? null
                        : new CallingWindow(true, java.time.LocalTime.parse(rs.getString(1)), java.time.LocalTime.parse(rs.getString(2))),
                tenant.value(), personaId).stream().filter(Objects::nonNull).findFirst();
    }

    /** Claims up to {@code limit} due calls of any tenant for {@code lease}; none another dispatcher holds. */
    public List<Claim> claim(String dispatcher, int limit, Duration lease, Instant now) {
        return transactions.withoutTenant(() -> jdbc.query(
                "select id, tenant_id, claim_token, scheduled_at from parley_claim_due_calls(?, ?, ?, ?::interval)",
                (rs, i) -> new Claim(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class)), rs.getLong(3),
                        rs.getTimestamp(4).toInstant()),
                Timestamp.from(now), limit, dispatcher, lease.toMillis() + " milliseconds"));
    }

    /**
     * In the call's tenant: if the call is still scheduled, due and held by this claim, and its tenant has
     * fewer than {@code maxActive} calls under way, records attempt {@code n + 1}, moves the call to
     * dialing and commits. A tenant at its limit defers the call by {@code deferBy}.
     */
    public Result begin(Claim claim, String dispatcher, String carrier, String from, int maxActive, Duration deferBy, CallingWindow window,
                        Instant now) {
        Route route = new Route(carrier, from);
        return begin(claim, dispatcher, mode -> route, maxActive, deferBy, window, now);
    }

    /** As above, with the carrier and caller number chosen by the call's mode (test mode: the sandbox). */
    public Result begin(Claim claim, String dispatcher, java.util.function.Function<Mode, Route> routes, int maxActive, Duration deferBy,
                        CallingWindow window, Instant now) {
        try {
            return transactions.write(claim.tenant(), () -> {
                Call call = entities.find(Call.class, claim.callId(), LockModeType.PESSIMISTIC_WRITE);
                if (call == null || call.status() != CallStatus.SCHEDULED || !Objects.equals(call.claimToken(), claim.token())
                        || call.scheduledAt().isAfter(now)) {
                    return new Result(null, NotBegun.GONE);
                }
                String actor = "dispatcher:" + dispatcher;
                Optional<String> forbidden = window.forbidden(call.to());
                if (forbidden.isEmpty() && doNotCall.listed(claim.tenant(), call.to())) {
                    forbidden = Optional.of("the number is on the tenant's do-not-call list");
                }
                // the subscription, again at the dial: one that lapsed since the call was booked places no call
                io.parley.platform.billing.Entitlements.Standing standing = entitlements.standing(claim.tenant(), call.mode());
                if (forbidden.isEmpty() && !standing.mayCall()) {
                    forbidden = Optional.of("calls are not allowed: " + standing.why());
                }
                if (forbidden.isPresent()) {
                    String reason = "blocked: " + forbidden.get();
                    CallStatus was = call.finish(CallStatus.BLOCKED, reason, now);
                    entities.persist(new CallEvent(claim.tenant(), call.id(), "call.blocked", was, CallStatus.BLOCKED, actor, reason, now));
                    return new Result(null, NotBegun.BLOCKED);
                }
                List<java.time.ZoneId> zones = CallingWindow.zones(call);
                // the hours are the tenant's where it set them; the numbers never dialled (above) are not up to it
                CallingWindow hours = personaHours(claim.tenant(), call.personaId()).orElse(TenantCallSettings.window(settings.find(claim.tenant()), window));
                Instant open = hours.next(now, zones);
                if (open.isAfter(now)) {
                    call.defer(open, now);
                    entities.persist(new CallEvent(claim.tenant(), call.id(), "call.deferred", CallStatus.SCHEDULED, CallStatus.SCHEDULED, actor,
                            "outside the calling window " + hours.start() + "–" + hours.end() + " in " + zones + "; next at " + open, now));
                    return new Result(null, NotBegun.OUTSIDE_WINDOW);
                }
                Route route = routes.apply(call.mode());
                String carrier = route.carrier();
                // the call's caller ID: the tenant's own number at this carrier (the persona's own line first), else the carrier's
                Map.Entry<Long, String> prior = jdbc.queryForObject("""
                        select (select count(*) from call_attempts where tenant_id = ? and call_id = ?),
                               (select n.phone_number from phone_numbers n where n.tenant_id = ? and n.carrier = ?
                                 order by (n.persona_id = ?) desc, n.created_at limit 1)""",
                        (rs, i) -> Map.entry(rs.getLong(1), Optional.ofNullable(rs.getString(2)).orElse(route.from())),
                        claim.tenant().value(), call.id(), claim.tenant().value(), carrier, call.personaId());
                Long earlier = prior.getKey();
                String from = prior.getValue();
                CallAttempt attempt = new CallAttempt(claim.tenant(), call.id(), earlier.intValue() + 1, carrier, from, claim.token(), dispatcher, now);
                entities.persist(attempt);
                CallStatus was = call.startAttempt(now);
                entities.persist(new CallEvent(claim.tenant(), call.id(), "call.dialing", was, CallStatus.DIALING, actor,
                        "attempt " + attempt.number() + " via " + carrier, now));
                entities.flush();
                // what the runtime needs of the persona, read as plain values (not a managed entity the commit would dirty-check)
                // the persona as it was when the call was placed (its version), else as it is (calls from before versions)
                Snapshot snapshot = jdbc.queryForObject("""
                        select p.id, s->>'name', s->>'kind', s->>'system_prompt', s->>'first_message', s->>'language', s->>'voice_provider',
                               s->>'voice_id', s->>'voicemail_message', case when jsonb_typeof(s->'flow') = 'array' then (s->'flow')::text end,
                               array(select jsonb_array_elements_text(coalesce(s->'tools', '[]'::jsonb))), coalesce((s->>'child_safety')::boolean, false),
                               s->'booking'->>'timeZone', case when jsonb_typeof(s->'settings') = 'object' then (s->'settings')::text end,
                               coalesce((s->>'memory')::boolean, false)
                          from personas p
                          left join persona_versions v on v.tenant_id = p.tenant_id and v.persona_id = p.id and v.version = ?
                          cross join lateral (select coalesce(v.snapshot, to_jsonb(p)) as s) snapshot
                         where p.tenant_id = ? and p.id = ?""",
                        (rs, i) -> new Snapshot(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getString(6), rs.getString(7), rs.getString(8), call.variables(), call.timeZone(), rs.getString(9), call.record(),
                                rs.getString(10), java.util.List.of((String[]) rs.getArray(11).getArray()), rs.getBoolean(12), rs.getString(13),
                                rs.getString(14), rs.getBoolean(15) ? callees.recall(claim.tenant(), call.personaId(), call.to()) : null),
                        call.personaVersion(), claim.tenant().value(), call.personaId());
                // Last, with everything else written: one dispatch of a tenant at a time counts its calls under way (this one
                // included, and every one an earlier holder committed), so two instances cannot both take its last slot. The
                // lock is held from here to the commit only, not while the attempt is written.
                jdbc.queryForObject("select count(*) from (select pg_advisory_xact_lock(hashtextextended(?, 7))) locked", Long.class,
                        claim.tenant().value().toString());
                // plain SQL, its own statement: a snapshot taken after the lock
                Long active = jdbc.queryForObject("select count(*) from calls where tenant_id = ? and status in ('dialing', 'ringing', 'in_progress')",
                        Long.class, claim.tenant().value());
                // the platform's limit per tenant, and a paid plan's concurrent calls (the local plan has no limit of its own)
                int limit = standing.local() || standing.plan() == null ? maxActive : Math.min(maxActive, standing.plan().concurrentCalls());
                if (active > limit) {
                    throw new OverLimit();
                }
                return new Result(new Begun(attempt.id(), call.id(), claim.tenant(), call.mode(), carrier, from, call.to(), call.scheduledAt(), now, snapshot), null);
            });
        } catch (OverLimit e) {
            // all of the above rolled back: the call waits for a slot
            return transactions.write(claim.tenant(), () -> {
                Call call = entities.find(Call.class, claim.callId(), LockModeType.PESSIMISTIC_WRITE);
                if (call == null || call.status() != CallStatus.SCHEDULED || !Objects.equals(call.claimToken(), claim.token())) {
                    return new Result(null, NotBegun.GONE);
                }
                call.defer(now.plus(deferBy), now);
                return new Result(null, NotBegun.DEFERRED);
            });
        }
    }

    /** The tenant was at its limit of calls under way: the attempt is rolled back and the call deferred. */
    private static final class OverLimit extends RuntimeException {
        OverLimit() {
            super(null, null, false, false);
        }
    }

    /** The outcome of {@link #begin}: the attempt to dial, or why there is none. */
    public record Result(Begun begun, NotBegun notBegun) {}

    /**
     * The carrier placed the attempt: its id is recorded, unless the attempt was meanwhile resolved
     * otherwise (then false: the call placed is not wanted and should be hung up).
     */
    public boolean placed(TenantId tenant, UUID attemptId, String providerCallId, Instant now) {
        return transactions.write(tenant, () -> {
            // not worth a disk flush: were this commit lost in a database crash, the reconciler would find the call at the carrier
            jdbc.execute("set local synchronous_commit = off");
            // one statement, no entity: only an attempt still dialing without a carrier id takes it. Written as coalesce, not
            // "is null": the planner would otherwise find the attempt through the unconfirmed-attempts index (this very
            // condition), reading every attempt in flight, instead of through the key.
            if (jdbc.update("update call_attempts set provider_call_id = ?, dialed_at = ? where tenant_id = ? and id = ?"
                    + " and status = 'dialing' and coalesce(provider_call_id, '') = ''", providerCallId, java.sql.Timestamp.from(now), tenant.value(), attemptId) == 1) {
                return true;
            }
            return providerCallId.equals(jdbc.query("select provider_call_id from call_attempts where tenant_id = ? and id = ?",
                    (rs, i) -> rs.getString(1), tenant.value(), attemptId).stream().filter(Objects::nonNull).findFirst().orElse(null));
        });
    }

    /** The carrier refused the dial: the attempt and the call failed. */
    public void refused(TenantId tenant, UUID attemptId, String reason, Instant now) {
        transactions.write(tenant, () -> {
            CallAttempt attempt = entities.find(CallAttempt.class, attemptId, LockModeType.PESSIMISTIC_WRITE);
            Call call = entities.find(Call.class, attempt.callId(), LockModeType.PESSIMISTIC_WRITE);
            attempt.end(CallAttempt.Status.FAILED, reason, now);
            if (call.status() == CallStatus.DIALING) {
                // a refusal is the carrier's final word on the number: not retried
                CallStatus was = call.finish(CallStatus.FAILED, "failed: " + reason, now);
                entities.persist(new CallEvent(tenant, call.id(), "call.failed", was, CallStatus.FAILED, "carrier:" + attempt.carrier(), reason, now));
            }
            return null;
        });
    }

    /** Attempts recorded before {@code before} that still have no carrier id, any tenant. */
    public List<Unconfirmed> unconfirmed(Instant before, int limit) {
        return transactions.withoutTenant(() -> jdbc.query(
                "select id, tenant_id, call_id from parley_unconfirmed_attempts(?, ?)",
                (rs, i) -> new Unconfirmed(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class)), rs.getObject(3, UUID.class)),
                Timestamp.from(before), limit));
    }

    public Optional<AttemptView> view(Unconfirmed u) {
        return transactions.read(u.tenant(), () -> {
            CallAttempt attempt = entities.find(CallAttempt.class, u.attemptId());
            if (attempt == null) {
                return Optional.empty();
            }
            Call call = entities.find(Call.class, attempt.callId());
            return Optional.of(new AttemptView(attempt.id(), attempt.carrier(), call.to(), attempt.createdAt(),
                    attempt.status() == CallAttempt.Status.DIALING && attempt.providerCallId() == null));
        });
    }

    /**
     * The carrier has no call for this attempt: it never reached the carrier. The attempt is abandoned and
     * the call due again at once, the attempt not counted. False if the attempt was resolved meanwhile.
     */
    public boolean abandon(Unconfirmed u, String dispatcher, Instant now) {
        return transactions.write(u.tenant(), () -> {
            CallAttempt attempt = entities.find(CallAttempt.class, u.attemptId(), LockModeType.PESSIMISTIC_WRITE);
            if (attempt == null || attempt.status() != CallAttempt.Status.DIALING || attempt.providerCallId() != null) {
                return false;
            }
            Call call = entities.find(Call.class, attempt.callId(), LockModeType.PESSIMISTIC_WRITE);
            String reason = "attempt " + attempt.number() + " never reached the carrier (its dispatcher " + attempt.dispatcher() + " stopped)";
            attempt.end(CallAttempt.Status.ABANDONED, reason, now);
            if (call.status() == CallStatus.DIALING) {
                CallStatus was = call.requeue(now);
                entities.persist(new CallEvent(u.tenant(), call.id(), "call.requeued", was, CallStatus.SCHEDULED, "dispatcher:" + dispatcher, reason, now));
            }
            return true;
        });
    }
}
