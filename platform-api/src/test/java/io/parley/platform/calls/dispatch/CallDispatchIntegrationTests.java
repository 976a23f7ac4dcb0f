package io.parley.platform.calls.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.telephony.Telephony;
import io.parley.platform.tenancy.Ids;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Dispatch against the real database and Redis, with the real sandbox carrier counting what it placed:
 * several dispatchers, one of them dying mid-batch, place every due call exactly once.
 */
class CallDispatchIntegrationTests extends IntegrationTest {

    private static final String FROM = "+14155550199";

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private RedisBuckets buckets;
    @Autowired
    private io.parley.platform.calls.runtime.RuntimeHandoff handoff;
    @Autowired
    private StringRedisTemplate redis;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<CallDispatcher> started = new ArrayList<>();
    private SandboxTelephony carrier;

    @AfterEach
    void stopDispatchers() {
        started.forEach(CallDispatcher::stop);
    }

    @Test
    void threeDispatchersPlaceEachOf2000DueCallsExactlyOnceThoughOneDiesMidBatch() throws Exception {
        carrier = new SandboxTelephony(redis, "parley:sandbox:test:" + UUID.randomUUID() + ":");
        List<UUID> calls = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            calls.addAll(dueCalls(newTenant(), 500, "+14155550100"));
        }

        // the third dispatcher dies after 150 dials: its 151st reaches the carrier but is never recorded, and every
        // dial after that hangs before the carrier hears of it (committed attempts nobody dials), until it is killed
        AtomicInteger dialsOfTheDoomed = new AtomicInteger();
        CountDownLatch dead = new CountDownLatch(1);
        Telephony dying = new DelegatingTelephony(carrier) {
            @Override
            public Placed dial(Dial dial) throws Refused {
                int n = dialsOfTheDoomed.incrementAndGet();
                if (n <= 150) {
                    return super.dial(dial);
                }
                if (n == 151) {
                    super.dial(dial);
                }
                dead.countDown();
                hang();
                throw new IllegalStateException("unreachable");
            }
        };
        String run = UUID.randomUUID().toString().substring(0, 8);
        CallDispatcher a = start("a-" + run, carrier);
        CallDispatcher b = start("b-" + run, carrier);
        CallDispatcher c = start("c-" + run, dying);

        assertThat(dead.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the third dispatcher reached its 151st dial").isTrue();
        Thread.sleep(200);
        c.stop();   // killed mid-batch: its claims expire, its unconfirmed attempts wait for the reconciler

        awaitPlaced(calls, Duration.ofSeconds(120));

        Map<UUID, Long> placements = carrier.placements();
        List<UUID> notOnce = calls.stream().filter(id -> placements.getOrDefault(id, 0L) != 1L).toList();
        assertThat(notOnce).as("calls the carrier placed other than exactly once").isEmpty();

        try (Connection db = TestServices.ownerConnection()) {
            Array ids = db.createArrayOf("uuid", calls.toArray());
            // every call has exactly one attempt that reached the carrier, with the carrier's id recorded
            assertThat(count(db, "select count(*) from call_attempts where call_id = any(?) and status <> 'abandoned'", ids)).isEqualTo(2000);
            assertThat(count(db, "select count(*) from call_attempts where call_id = any(?) and status <> 'abandoned' and provider_call_id is null", ids)).isZero();
            assertThat(count(db, "select count(distinct provider_call_id) from call_attempts where call_id = any(?)", ids)).isEqualTo(2000);
            assertThat(count(db, "select count(*) from calls where id = any(?) and status = 'dialing' and attempts = 1", ids)).isEqualTo(2000);
            // both ways of the reconciler were needed: the dial the carrier had (recorded late), and those it never saw
            // (the dispatchers also place calls other tests left due: the dead one's own are counted by its name)
            Array doomed = db.createArrayOf("text", new Object[] {c.name()});
            assertThat(count(db, "select count(*) from call_attempts where dispatcher = any(?) and status = 'abandoned'", doomed))
                    .as("attempts the dead dispatcher committed but never dialled").isPositive();
            assertThat(count(db, "select count(*) from call_attempts where dispatcher = any(?) and status = 'dialing' and provider_call_id is not null", doomed))
                    .as("attempts of the dead dispatcher that reached the carrier, recorded by it or confirmed from the carrier").isEqualTo(151);
            // an abandoned attempt leaves its trace in the call's log
            assertThat(count(db, "select count(*) from call_events where call_id = any(?) and type = 'call.requeued'", ids))
                    .isEqualTo(count(db, "select count(*) from call_attempts where call_id = any(?) and status = 'abandoned'", ids));
        }
        assertThat(a.name()).isNotEqualTo(b.name());
    }

    @Test
    void aClaimThatOutlivedItsLeaseIsFencedOff() throws Exception {
        TestTenant tenant = newTenant();
        UUID call = dueCalls(tenant, 1, "+14155550100").getFirst();
        Instant now = Instant.now();

        DispatchLedger.Claim stale = claimed(ledger.claim("slow", 100, Duration.ofSeconds(1), now), call);
        assertThat(ledger.claim("other", 100, Duration.ofSeconds(1), now.plusMillis(500)))
                .as("while the lease holds, no one else gets the call").noneMatch(c -> c.callId().equals(call));
        DispatchLedger.Claim fresh = claimed(ledger.claim("other", 100, Duration.ofSeconds(30), now.plusSeconds(2)), call);
        assertThat(fresh.token()).isGreaterThan(stale.token());

        assertThat(ledger.begin(stale, "slow", "sandbox", FROM, 10, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now.plusSeconds(3)).notBegun())
                .isEqualTo(DispatchLedger.NotBegun.GONE);
        DispatchLedger.Result begun = ledger.begin(fresh, "other", "sandbox", FROM, 10, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now.plusSeconds(3));
        assertThat(begun.begun()).isNotNull();
        assertThat(ledger.begin(fresh, "other", "sandbox", FROM, 10, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now.plusSeconds(3)).notBegun())
                .as("the same claim begins once").isEqualTo(DispatchLedger.NotBegun.GONE);

        JsonNode read = tenant.api().get("/v1/calls/" + call).json();
        assertThat(read.get("status").asString()).isEqualTo("dialing");
        List<String> types = new ArrayList<>();
        tenant.api().get("/v1/calls/" + call + "/events").json().get("data").forEach(e -> types.add(e.get("type").asString()));
        assertThat(types).containsExactly("call.created", "call.dialing");
    }

    @Test
    void aCallCanceledOrMovedAfterItWasClaimedIsNotDialled() throws Exception {
        TestTenant tenant = newTenant();
        List<UUID> two = dueCalls(tenant, 2, "+14155550100");
        Instant now = Instant.now();
        List<DispatchLedger.Claim> claims = ledger.claim("d", 100, Duration.ofSeconds(30), now);
        DispatchLedger.Claim first = claimed(claims, two.get(0));
        DispatchLedger.Claim second = claimed(claims, two.get(1));

        assertThat(tenant.api().post("/v1/calls/" + two.get(0) + "/cancel", ApiClient.json(Map.of())).status()).isEqualTo(200);
        ApiClient.Response moved = tenant.api().post("/v1/calls/" + two.get(1) + "/reschedule",
                ApiClient.json(Map.of("scheduledAt", now.plus(Duration.ofDays(1)).toString())));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);

        assertThat(ledger.begin(first, "d", "sandbox", FROM, 10, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, Instant.now()).notBegun()).isEqualTo(DispatchLedger.NotBegun.GONE);
        assertThat(ledger.begin(second, "d", "sandbox", FROM, 10, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, Instant.now()).notBegun()).isEqualTo(DispatchLedger.NotBegun.GONE);
        assertThat(ledger.claim("d", 100, Duration.ofSeconds(30), Instant.now().plusSeconds(60)))
                .as("the moved call is not due").noneMatch(c -> two.contains(c.callId()));
    }

    @Test
    void aTenantAtItsLimitWaitsAndItsCallIsDeferred() throws Exception {
        TestTenant tenant = newTenant();
        List<UUID> two = dueCalls(tenant, 2, "+14155550100");
        Instant now = Instant.now();
        List<DispatchLedger.Claim> claims = ledger.claim("d", 100, Duration.ofSeconds(30), now);

        DispatchLedger.Result first = ledger.begin(claimed(claims, two.get(0)), "d", "sandbox", FROM, 1, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now);
        DispatchLedger.Result second = ledger.begin(claimed(claims, two.get(1)), "d", "sandbox", FROM, 1, Duration.ofSeconds(5), io.parley.platform.calls.CallingWindow.OFF, now);

        assertThat(first.begun()).isNotNull();
        assertThat(second.notBegun()).isEqualTo(DispatchLedger.NotBegun.DEFERRED);
        assertThat(ledger.claim("d", 100, Duration.ofSeconds(30), now.plusSeconds(4))).noneMatch(c -> c.callId().equals(two.get(1)));
        assertThat(ledger.claim("d", 100, Duration.ofSeconds(30), now.plusSeconds(6))).anyMatch(c -> c.callId().equals(two.get(1)));
        assertThat(tenant.api().get("/v1/calls/" + two.get(1)).json().get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void dispatchesBegunAtOnceNeverTakeMoreThanTheTenantsLimit() throws Exception {
        TestTenant tenant = newTenant();
        List<UUID> due = dueCalls(tenant, 12, "+14155550100");
        Instant now = Instant.now();
        List<DispatchLedger.Claim> claims = ledger.claim("d", 100, Duration.ofSeconds(30), now).stream()
                .filter(c -> due.contains(c.callId())).toList();
        assertThat(claims).hasSize(12);

        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<DispatchLedger.Result>> results = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(12)) {
            for (DispatchLedger.Claim claim : claims) {
                results.add(threads.submit(() -> {
                    go.await();
                    return ledger.begin(claim, "d", "sandbox", FROM, 3, Duration.ofSeconds(5),
                            io.parley.platform.calls.CallingWindow.OFF, now);
                }));
            }
            go.countDown();
        }
        List<DispatchLedger.Result> done = new ArrayList<>();
        for (var r : results) {
            done.add(r.get());
        }

        assertThat(done.stream().filter(r -> r.begun() != null)).as("the limit, exactly").hasSize(3);
        assertThat(done.stream().filter(r -> r.notBegun() == DispatchLedger.NotBegun.DEFERRED)).hasSize(9);
        try (Connection db = TestServices.ownerConnection(); var s = db.createStatement();
             ResultSet rs = s.executeQuery("select (select count(*) from call_attempts where tenant_id = '" + tenant.id() + "'),"
                     + " (select count(*) from call_events where tenant_id = '" + tenant.id() + "' and type = 'call.dialing'),"
                     + " (select count(*) from calls where tenant_id = '" + tenant.id() + "' and status = 'dialing'),"
                     + " (select count(*) from calls where tenant_id = '" + tenant.id() + "' and status = 'scheduled' and claim_until > now())")) {
            rs.next();
            assertThat(rs.getLong(1)).as("a deferred call leaves no attempt").isEqualTo(3);
            assertThat(rs.getLong(2)).as("nor a dialing event").isEqualTo(3);
            assertThat(rs.getLong(3)).isEqualTo(3);
            assertThat(rs.getLong(4)).as("the others wait, deferred").isEqualTo(9);
        }
    }

    @Test
    void aDialTheCarrierRefusesFailsTheCallWithItsReason() throws Exception {
        carrier = new SandboxTelephony(redis, "parley:sandbox:test:" + UUID.randomUUID() + ":");
        TestTenant tenant = newTenant();
        UUID call = dueCalls(tenant, 1, SandboxTelephony.REFUSED_NUMBER).getFirst();
        start("refused", carrier);

        JsonNode read = awaitStatus(tenant, call, "failed");
        assertThat(carrier.placements()).doesNotContainKey(call);
        List<JsonNode> events = new ArrayList<>();
        tenant.api().get("/v1/calls/" + call + "/events").json().get("data").forEach(events::add);
        assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("call.created", "call.dialing", "call.failed");
        assertThat(events.get(2).get("reason").asString()).contains("refuses");
        assertThat(read.get("status").asString()).isEqualTo("failed");
    }

    @Test
    void outsideTheCallingWindowTheCallIsDeferredToItsOpeningAndPremiumNumbersAreBlocked() throws Exception {
        TestTenant tenant = newTenant();
        UUID night = dueCalls(tenant, 1, "+14155550100").getFirst();          // a Los Angeles number
        UUID premium = dueCalls(tenant, 1, "+19005551234").getFirst();
        io.parley.platform.calls.CallingWindow window = new io.parley.platform.calls.CallingWindow(true,
                java.time.LocalTime.of(8, 0), java.time.LocalTime.of(21, 0));
        // 03:00 in Los Angeles, today
        Instant threeAm = java.time.LocalDate.now(java.time.ZoneId.of("America/Los_Angeles")).atTime(3, 0)
                .atZone(java.time.ZoneId.of("America/Los_Angeles")).toInstant();
        Instant now = Instant.now().isAfter(threeAm) ? Instant.now() : threeAm;   // never before the calls were due
        Instant at = threeAm.isBefore(now) ? threeAm.plus(Duration.ofDays(1)) : threeAm;
        List<DispatchLedger.Claim> claims = ledger.claim("w", 10_000, Duration.ofSeconds(30), at);

        assertThat(ledger.begin(claimed(claims, night), "w", "sandbox", FROM, 10, Duration.ofSeconds(5), window, at).notBegun())
                .isEqualTo(DispatchLedger.NotBegun.OUTSIDE_WINDOW);
        assertThat(ledger.begin(claimed(claims, premium), "w", "sandbox", FROM, 10, Duration.ofSeconds(5), window, at).notBegun())
                .isEqualTo(DispatchLedger.NotBegun.BLOCKED);

        Instant opening = at.plus(Duration.ofHours(5));   // 08:00 the same morning
        assertThat(ledger.claim("w", 10_000, Duration.ofSeconds(30), opening.minusSeconds(1))).noneMatch(c -> c.callId().equals(night));
        DispatchLedger.Claim morning = claimed(ledger.claim("w", 10_000, Duration.ofSeconds(30), opening), night);
        assertThat(ledger.begin(morning, "w", "sandbox", FROM, 10, Duration.ofSeconds(5), window, opening).begun()).isNotNull();

        JsonNode deferred = tenant.api().get("/v1/calls/" + night + "/events").json().get("data").get(1);
        assertThat(deferred.get("type").asString()).isEqualTo("call.deferred");
        assertThat(deferred.get("reason").asString()).contains("America/Los_Angeles").contains(opening.toString());
        JsonNode blocked = tenant.api().get("/v1/calls/" + premium).json();
        assertThat(blocked.get("status").asString()).isEqualTo("blocked");
        assertThat(blocked.get("finalReason").asString()).contains("premium-rate");
    }

    // --- helpers --------------------------------------------------------------------------------

    private CallDispatcher start(String name, Telephony telephony) {
        ParleyProperties.Dispatch settings = new ParleyProperties.Dispatch(true, name, Duration.ofMillis(50), 100, 32,
                Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(500), 100_000,
                Duration.ofSeconds(1), 100_000);
        CallDispatcher dispatcher = new CallDispatcher(settings, name, FROM, io.parley.platform.calls.CallingWindow.OFF, ledger, telephony, handoff, buckets, Clock.systemUTC(), meters);
        dispatcher.start();
        started.add(dispatcher);
        return dispatcher;
    }

    /** {@code n} calls of the tenant's new persona, due a second ago (inserted directly: the API is tested elsewhere). */
    private List<UUID> dueCalls(TestTenant tenant, int n, String to) throws SQLException {
        String persona = createPersona(tenant, "Santa").get("id").asString();
        List<UUID> ids = new ArrayList<>();
        try (Connection db = TestServices.ownerConnection(); PreparedStatement insert = db.prepareStatement("""
                insert into calls (id, tenant_id, persona_id, to_number, status, mode, scheduled_at, time_zone, time_zone_source,
                                   variables, created_at, updated_at)
                values (?, ?, ?, ?, 'scheduled', 'test', ?, 'America/Los_Angeles', 'inferred', '{}'::jsonb, now(), now())""");
             PreparedStatement event = db.prepareStatement("""
                insert into call_events (id, tenant_id, call_id, type, to_status, actor, occurred_at)
                values (?, ?, ?, 'call.created', 'scheduled', 'test', now())""")) {
            Timestamp due = Timestamp.from(Instant.now().minusSeconds(1));
            for (int i = 0; i < n; i++) {
                UUID id = Ids.next();
                ids.add(id);
                insert.setObject(1, id);
                insert.setObject(2, tenant.id());
                insert.setObject(3, UUID.fromString(persona));
                insert.setString(4, to);
                insert.setTimestamp(5, due);
                insert.addBatch();
                event.setObject(1, Ids.next());
                event.setObject(2, tenant.id());
                event.setObject(3, id);
                event.addBatch();
            }
            insert.executeBatch();
            event.executeBatch();
        }
        return ids;
    }

    private static DispatchLedger.Claim claimed(List<DispatchLedger.Claim> claims, UUID call) {
        return claims.stream().filter(c -> c.callId().equals(call)).findFirst()
                .orElseThrow(() -> new AssertionError("call " + call + " was not claimed: " + claims));
    }

    private void awaitPlaced(List<UUID> calls, Duration timeout) throws Exception {
        Instant until = Instant.now().plus(timeout);
        long placed = 0;
        while (Instant.now().isBefore(until)) {
            try (Connection db = TestServices.ownerConnection()) {
                placed = count(db, "select count(*) from call_attempts where call_id = any(?) and provider_call_id is not null",
                        db.createArrayOf("uuid", calls.toArray()));
            }
            if (placed >= calls.size()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("only " + placed + " of " + calls.size() + " calls placed within " + timeout);
    }

    private JsonNode awaitStatus(TestTenant tenant, UUID call, String status) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(20);
        JsonNode read = null;
        while (Instant.now().isBefore(until)) {
            read = tenant.api().get("/v1/calls/" + call).json();
            if (status.equals(read.get("status").asString())) {
                return read;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("call " + call + " did not become " + status + ": " + read);
    }

    private static long count(Connection db, String sql, Array ids) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            s.setArray(1, ids);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void hang() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("killed");
        }
    }

    /** A carrier passing everything to another; tests override what they break. */
    private static class DelegatingTelephony implements Telephony {
        private final Telephony target;

        DelegatingTelephony(Telephony target) {
            this.target = target;
        }

        @Override public String carrier() { return target.carrier(); }
        @Override public Placed dial(Dial dial) throws Refused { return target.dial(dial); }
        @Override public Optional<Placed> find(UUID attemptId, String to, Instant requestedAt) { return target.find(attemptId, to, requestedAt); }
        @Override public void hangUp(String providerCallId) { target.hangUp(providerCallId); }
    }
}
