package io.parley.platform.calls;

import io.parley.platform.telephony.CarrierEvents;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Applies what a carrier reports about an attempt, once and in order, whatever order and however often
 * the reports come: an attempt only moves forward (dialing, ringing, in progress, an outcome), so a late or
 * repeated report changes nothing. The call follows its current attempt, through every state the report
 * implies (answered implies rang), each step in its event log. An outcome the call's retry policy names,
 * with attempts left, schedules the call again after its backoff ({@code call.retry_scheduled}); any
 * other outcome ends the call with its reason.
 */
@Component
public class CallProgress implements CarrierEvents {

    private static final Map<CallAttempt.Status, CallStatus> CALL_STATUS = new EnumMap<>(Map.of(
            CallAttempt.Status.RINGING, CallStatus.RINGING,
            CallAttempt.Status.IN_PROGRESS, CallStatus.IN_PROGRESS,
            CallAttempt.Status.COMPLETED, CallStatus.COMPLETED,
            CallAttempt.Status.BUSY, CallStatus.BUSY,
            CallAttempt.Status.NO_ANSWER, CallStatus.NO_ANSWER,
            CallAttempt.Status.VOICEMAIL, CallStatus.VOICEMAIL,
            CallAttempt.Status.FAILED, CallStatus.FAILED));
    private static final Set<CallStatus> UNDER_WAY = EnumSet.of(CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS);

    /** What became of a report. */
    public enum Applied { APPLIED, STALE, UNKNOWN_CALL }

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public CallProgress(EntityManager entities, TenantTransactions transactions, JdbcTemplate jdbc, Clock clock) {
        this.entities = entities;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean progress(Report report) {
        return apply(report) != Applied.UNKNOWN_CALL;
    }

    public Applied apply(Report report) {
        CallAttempt.Status status = CallAttempt.Status.fromCarrier(report.status());
        // one transaction: the attempt's tenant is looked up (as the owner's function may), then the transaction is bound to it
        return transactions.withoutTenant(() -> {
            Optional<Map.Entry<UUID, TenantId>> found = jdbc.query(
                    "select id, tenant_id from parley_find_attempt(?, ?)",
                    (rs, i) -> Map.entry(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class))),
                    report.carrier(), report.providerCallId()).stream().findFirst();
            if (found.isEmpty()) {
                return Applied.UNKNOWN_CALL;
            }
            TenantId tenant = found.get().getValue();
            transactions.bind(tenant);
            CallAttempt attempt = entities.find(CallAttempt.class, found.get().getKey(), LockModeType.PESSIMISTIC_WRITE);
            CallAttempt.Status outcome = status;
            if (status == CallAttempt.Status.COMPLETED && ("machine".equals(report.answeredBy()) || "machine".equals(attempt.answeredBy()))) {
                outcome = CallAttempt.Status.VOICEMAIL;   // a machine answered (the carrier's detection): the call reached voicemail
            }
            return applyTo(tenant, attempt, outcome, report);
        });
    }

    private Applied applyTo(TenantId tenant, CallAttempt attempt, CallAttempt.Status status, Report report) {
        if (!attempt.advance(status, report.answeredBy(), report.reason(), report.at())) {
            return Applied.STALE;
        }
        Call call = entities.find(Call.class, attempt.callId(), LockModeType.PESSIMISTIC_WRITE);
        if (!UNDER_WAY.contains(call.status()) || attempt.status() == CallAttempt.Status.ABANDONED) {
            return Applied.APPLIED;   // the call moved on (a later attempt, or it ended): only the attempt records this
        }
        String actor = "carrier:" + attempt.carrier();
        Instant now = clock.instant();
        CallStatus target = CALL_STATUS.get(status);
        if (status.terminal() && call.retries(status.wire())) {
            // the call still walks to where the attempt got (it rang, it was answered) before it is scheduled again
            walk(tenant, call, lastUnderWay(call.status(), status), actor, now);
            Instant next = now.plus(call.nextBackoff(ThreadLocalRandom.current().nextDouble()));
            CallStatus was = call.retryAt(next, now);
            entities.persist(new CallEvent(tenant, call.id(), "call.retry_scheduled", was, CallStatus.SCHEDULED, actor,
                    describe(status, report.reason()) + "; attempt " + (call.attempts() + 1) + " of " + call.retryPolicy().maxAttempts()
                            + " at " + next, now));
            return Applied.APPLIED;
        }
        walk(tenant, call, target, actor, now);
        if (status.terminal()) {
            call.finalReason(describe(status, report.reason()));
        }
        return Applied.APPLIED;
    }

    /** For a retried outcome: how far the call got before it (answered for voicemail, else as it is). */
    private static CallStatus lastUnderWay(CallStatus current, CallAttempt.Status outcome) {
        return outcome == CallAttempt.Status.VOICEMAIL ? CallStatus.IN_PROGRESS : current;
    }

    /** Moves the call to {@code target} through the shortest chain of legal steps, one event per step. */
    private void walk(TenantId tenant, Call call, CallStatus target, String actor, Instant now) {
        for (CallStatus step : path(call.status(), target)) {
            CallStatus was = call.transition(step, now);
            entities.persist(new CallEvent(tenant, call.id(), "call." + step.wire(), was, step, actor, null, now));
        }
    }

    /** The steps from {@code from} to {@code to} (not going back to scheduled), none when already there. */
    static List<CallStatus> path(CallStatus from, CallStatus to) {
        if (from == to) {
            return List.of();
        }
        Map<CallStatus, CallStatus> previous = new EnumMap<>(CallStatus.class);
        Deque<CallStatus> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            CallStatus at = todo.poll();
            for (CallStatus next : at.next()) {
                if (next == CallStatus.SCHEDULED || next == from || previous.containsKey(next)) {
                    continue;
                }
                previous.put(next, at);
                if (next == to) {
                    List<CallStatus> steps = new ArrayList<>();
                    for (CallStatus s = to; s != from; s = previous.get(s)) {
                        steps.addFirst(s);
                    }
                    return steps;
                }
                todo.add(next);
            }
        }
        throw new IllegalStateException("no way from " + from + " to " + to);
    }

    private static String describe(CallAttempt.Status outcome, String reason) {
        return reason == null || reason.isBlank() ? outcome.wire() : outcome.wire() + ": " + reason;
    }
}
