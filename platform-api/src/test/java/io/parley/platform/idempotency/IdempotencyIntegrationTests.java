package io.parley.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@code Idempotency-Key} contract: the same key and body answer the first response again, once
 * written; another body or operation is refused; failures do not burn the key; keys are per tenant
 * and expire; stored responses keep no readable secret.
 */
class IdempotencyIntegrationTests extends IntegrationTest {

    private static final String PROBLEMS = "https://parley.dev/problems/";
    private static final String REPLAYED = "Idempotent-Replayed";

    private TestTenant tenant;
    private String personaId;

    @BeforeEach
    void tenantWithAPersona() {
        tenant = newTenant();
        personaId = createPersona(tenant, "Santa").get("id").asString();
    }

    @Test
    void theSameKeyAndBodyReplayTheFirstResponseAndWriteOnce() {
        String key = newKey();
        String body = callBody(personaId);
        Map<String, Long> before = counts("calls", "call_events", "idempotency_keys");

        ApiClient.Response first = keyed(tenant, key).post("/v1/calls", body);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.header(REPLAYED)).isNull();

        ApiClient.Response second = keyed(tenant, key).post("/v1/calls", body);
        ApiClient.Response third = keyed(tenant, key).post("/v1/calls", body);
        for (ApiClient.Response replay : List.of(second, third)) {
            assertThat(replay.status()).isEqualTo(201);
            assertThat(replay.header(REPLAYED)).isEqualTo("true");
            assertThat(replay.contentType()).startsWith("application/json");
            assertThat(replay.json()).isEqualTo(first.json());
            assertThat(replay.body()).isEqualTo(first.body());
        }
        assertThat(delta(before, "calls", "call_events", "idempotency_keys")).containsExactly(1L, 1L, 1L);
        assertThat(tenant.api().get("/v1/calls").json().get("data")).hasSize(1);

        // control: without the key, the same body is a new call
        ApiClient.Response unkeyed = tenant.api().post("/v1/calls", body);
        assertThat(unkeyed.status()).isEqualTo(201);
        assertThat(unkeyed.json().get("id").asString()).isNotEqualTo(first.json().get("id").asString());
        assertThat(delta(before, "calls")).containsExactly(2L);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndWritesNothing() {
        String key = newKey();
        ApiClient.Response first = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        assertThat(first.status()).isEqualTo(201);
        Map<String, Long> before = counts("calls", "call_events", "idempotency_keys");

        Map<String, Object> other = new LinkedHashMap<>(Map.of("personaId", personaId, "to", "+442071838750", "timeZone", "Europe/London",
                "variables", Map.of("child_name", "Tom")));
        for (String body : List.of(ApiClient.json(other), ApiClient.json(Map.of("personaId", personaId, "to", "+14155552671")))) {
            ApiClient.Response reused = keyed(tenant, key).post("/v1/calls", body);
            assertReused(reused);
        }
        assertThat(delta(before, "calls", "call_events", "idempotency_keys")).containsExactly(0L, 0L, 0L);

        // the key still answers its first request
        ApiClient.Response replay = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.header(REPLAYED)).isEqualTo("true");
        assertThat(replay.json().get("id")).isEqualTo(first.json().get("id"));
    }

    @Test
    void theSameKeyOnAnotherOperationIs422() {
        String key = newKey();
        ApiClient.Response persona = keyed(tenant, key).post("/v1/personas", personaBody("Keyed Santa"));
        assertThat(persona.status()).isEqualTo(201);
        Map<String, Long> before = counts("personas", "calls", "call_events", "idempotency_keys");

        assertReused(keyed(tenant, key).post("/v1/calls", callBody(personaId)));
        assertThat(delta(before, "personas", "calls", "call_events", "idempotency_keys")).containsExactly(0L, 0L, 0L, 0L);
        String callId = createCall(tenant, personaId).get("id").asString();
        before = counts("personas", "calls", "call_events", "idempotency_keys");
        assertReused(keyed(tenant, key).post("/v1/calls/" + callId + "/cancel", "{}"));
        assertReused(keyed(tenant, key).post("/v1/api-keys", "{}"));
        assertThat(delta(before, "personas", "calls", "call_events", "idempotency_keys")).containsExactly(0L, 0L, 0L, 0L);
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("scheduled");

        // cancel is one operation per call: a key used to cancel one call cannot cancel another
        String otherCall = createCall(tenant, personaId).get("id").asString();
        String cancelKey = newKey();
        assertThat(keyed(tenant, cancelKey).post("/v1/calls/" + callId + "/cancel", "{}").status()).isEqualTo(200);
        assertReused(keyed(tenant, cancelKey).post("/v1/calls/" + otherCall + "/cancel", "{}"));
        assertThat(tenant.api().get("/v1/calls/" + otherCall).json().get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void jsonFormattingAndFieldOrderDoNotMakeAnotherBody() {
        String key = newKey();
        String compact = "{\"personaId\":\"" + personaId + "\",\"to\":\"+442071838750\",\"timeZone\":\"Europe/London\","
                + "\"variables\":{\"child_name\":\"Ella\",\"wish_list\":\"a red bicycle\",\"age\":7}}";
        String reordered = """
                {
                    "variables" : { "age" : 7, "wish_list" : "a red bicycle",   "child_name" : "Ella" },
                    "timeZone" : "Europe/London",
                \t"to" : "+442071838750",
                    "personaId" : "%s"
                }
                """.formatted(personaId);
        long calls = ownerCount("calls");

        ApiClient.Response first = keyed(tenant, key).post("/v1/calls", compact);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        ApiClient.Response second = keyed(tenant, key).post("/v1/calls", reordered);
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        assertThat(second.header(REPLAYED)).isEqualTo("true");
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(ownerCount("calls")).isEqualTo(calls + 1);

        // but a changed value inside the reordered body is another body
        assertReused(keyed(tenant, key).post("/v1/calls", reordered.replace("\"age\" : 7", "\"age\" : 8")));
        assertThat(ownerCount("calls")).isEqualTo(calls + 1);
    }

    @Test
    void theSameKeyInTwoTenantsIsTwoKeys() {
        TestTenant other = newTenant();
        String otherPersona = createPersona(other, "Other Santa").get("id").asString();
        String key = newKey();
        Map<String, Long> before = counts("calls", "idempotency_keys");

        ApiClient.Response mine = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        ApiClient.Response theirs = keyed(other, key).post("/v1/calls", callBody(otherPersona));
        assertThat(mine.status()).isEqualTo(201);
        assertThat(theirs.status()).as(theirs.body()).isEqualTo(201);
        assertThat(mine.header(REPLAYED)).isNull();
        assertThat(theirs.header(REPLAYED)).isNull();
        assertThat(theirs.json().get("id")).isNotEqualTo(mine.json().get("id"));
        assertThat(delta(before, "calls", "idempotency_keys")).containsExactly(2L, 2L);
        assertThat(keyCount(tenant)).isEqualTo(1);
        assertThat(keyCount(other)).isEqualTo(1);

        // each replays its own response
        assertThat(keyed(tenant, key).post("/v1/calls", callBody(personaId)).json().get("id")).isEqualTo(mine.json().get("id"));
        assertThat(keyed(other, key).post("/v1/calls", callBody(otherPersona)).json().get("id")).isEqualTo(theirs.json().get("id"));
        assertThat(delta(before, "calls", "idempotency_keys")).containsExactly(2L, 2L);
    }

    @Test
    void aRefusedRequestDoesNotBurnTheKey() {
        String key = newKey();
        Map<String, Long> before = counts("calls", "call_events", "idempotency_keys");

        // refused by the schema, before the key is claimed
        ApiClient.Response missing = keyed(tenant, key).post("/v1/calls", ApiClient.json(Map.of("personaId", personaId)));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().get("type").asString()).isEqualTo(PROBLEMS + "validation-error");
        // refused by the rules, after the key was claimed in the same transaction: the claim rolls back
        ApiClient.Response badNumber = keyed(tenant, key).post("/v1/calls", ApiClient.json(Map.of("personaId", personaId, "to", "+1555")));
        assertThat(badNumber.status()).isEqualTo(422);
        assertThat(badNumber.json().get("errors").get(0).get("field").asString()).isEqualTo("to");
        ApiClient.Response noPersona = keyed(tenant, key).post("/v1/calls", callBody(UUID.randomUUID().toString()));
        assertThat(noPersona.status()).isEqualTo(422);
        assertThat(noPersona.json().get("errors").get(0).get("field").asString()).isEqualTo("personaId");
        assertThat(delta(before, "calls", "call_events", "idempotency_keys")).containsExactly(0L, 0L, 0L);

        // the corrected request with the same key runs, not "key reused"
        ApiClient.Response corrected = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        assertThat(corrected.status()).as(corrected.body()).isEqualTo(201);
        assertThat(corrected.header(REPLAYED)).isNull();
        assertThat(delta(before, "calls", "call_events", "idempotency_keys")).containsExactly(1L, 1L, 1L);
        // and from now on it is the key's request
        assertThat(keyed(tenant, key).post("/v1/calls", callBody(personaId)).header(REPLAYED)).isEqualTo("true");
        assertReused(keyed(tenant, key).post("/v1/calls", ApiClient.json(Map.of("personaId", personaId, "to", "+1555"))));
    }

    @Test
    void concurrentRequestsWithTheSameKeyCreateOneCall() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 3; round++) {
                String key = newKey();
                String body = callBody(personaId);
                long calls = ownerCount("calls");
                CountDownLatch ready = new CountDownLatch(threads);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<ApiClient.Response>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        return keyed(tenant, key).post("/v1/calls", body);
                    }));
                }
                assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
                go.countDown();

                Set<String> ids = new HashSet<>();
                int originals = 0;
                int inUse = 0;
                for (Future<ApiClient.Response> future : futures) {
                    ApiClient.Response response = future.get(60, TimeUnit.SECONDS);
                    if (response.status() == 409) {
                        inUse++;
                        assertThat(response.json().get("type").asString()).isEqualTo(PROBLEMS + "idempotency-key-in-use");
                        continue;
                    }
                    assertThat(response.status()).as(response.body()).isEqualTo(201);
                    ids.add(response.json().get("id").asString());
                    if (response.header(REPLAYED) == null) originals++;
                }
                assertThat(ids).as("ids answered in round %d", round).hasSize(1);
                assertThat(originals).as("responses that were not replays").isEqualTo(1);
                assertThat(inUse).isLessThan(threads);
                assertThat(ownerCount("calls")).isEqualTo(calls + 1);
                assertThat(tenant.api().get("/v1/calls/" + ids.iterator().next()).status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKeyHeldByARequestStillRunningAnswers409InUse() throws SQLException {
        String key = UUID.randomUUID().toString();
        // another request with this key is mid-flight: its claim is inserted and not yet committed
        try (Connection running = TestServices.ownerConnection()) {
            running.setAutoCommit(false);
            try (PreparedStatement claim = prepare(running, """
                    insert into idempotency_keys (tenant_id, key_hash, operation, request_hash, created_at, expires_at)
                    values (?, ?, 'createCall', ?, now(), now() + interval '1 day')""",
                    tenant.id(), sha256Of(key), new byte[32])) {
                claim.executeUpdate();
            }
            long before = ownerCount("calls");
            ApiClient.Response response = tenant.api().withHeader("Idempotency-Key", key).post("/v1/calls", callBody(personaId));

            assertThat(response.status()).as(response.body()).isEqualTo(409);
            assertThat(response.json().get("type").asString()).isEqualTo(PROBLEMS + "idempotency-key-in-use");
            assertThat(ownerCount("calls")).isEqualTo(before);
            running.rollback();
        }
        // the running request failed and released the key: the same key now works
        assertThat(tenant.api().withHeader("Idempotency-Key", key).post("/v1/calls", callBody(personaId)).status()).isEqualTo(201);
    }

    @Test
    void anExpiredKeyIsTreatedAsNew() throws SQLException {
        String key = newKey();
        ApiClient.Response first = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        assertThat(first.status()).isEqualTo(201);
        Instant expiry = expiresAt(tenant);
        assertThat(expiry).isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        assertThat(keyed(tenant, key).post("/v1/calls", callBody(personaId)).header(REPLAYED)).as("replayed while fresh").isEqualTo("true");

        assertThat(ownerUpdate("update idempotency_keys set expires_at = now() - interval '1 minute' where tenant_id = ?", tenant.id())).isEqualTo(1);
        long calls = ownerCount("calls");

        ApiClient.Response again = keyed(tenant, key).post("/v1/calls", callBody(personaId));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header(REPLAYED)).isNull();
        assertThat(again.json().get("id")).isNotEqualTo(first.json().get("id"));
        assertThat(ownerCount("calls")).isEqualTo(calls + 1);
        // the expired entry was replaced, not added to
        assertThat(keyCount(tenant)).isEqualTo(1);
        assertThat(expiresAt(tenant)).isAfter(Instant.now().plus(Duration.ofHours(23)));

        // and an expired key may even take another body
        ownerUpdate("update idempotency_keys set expires_at = now() - interval '1 minute' where tenant_id = ?", tenant.id());
        ApiClient.Response otherBody = keyed(tenant, key).post("/v1/calls", ApiClient.json(Map.of("personaId", personaId, "to", "+14155552671")));
        assertThat(otherBody.status()).as(otherBody.body()).isEqualTo(201);
        assertThat(otherBody.json().get("to").asString()).isEqualTo("+14155552671");
    }

    @Test
    void theOperatorsTenantCreationReplaysTheSameTenantAndKey() throws SQLException {
        String key = newKey();
        String body = ApiClient.json(Map.of("name", "Replayed Tenant " + UUID.randomUUID()));
        Map<String, Long> before = counts("tenants", "api_keys", "operator_idempotency_keys");

        ApiClient.Response first = operator().withHeader("Idempotency-Key", key).post("/v1/tenants", body);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.header(REPLAYED)).isNull();
        ApiClient.Response second = operator().withHeader("Idempotency-Key", key).post("/v1/tenants", body);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.header(REPLAYED)).isEqualTo("true");
        assertThat(second.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(second.json().get("apiKey")).isEqualTo(first.json().get("apiKey"));
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(delta(before, "tenants", "api_keys", "operator_idempotency_keys")).containsExactly(1L, 1L, 1L);

        String apiKey = first.json().get("apiKey").asString();
        assertThat(apiKey).startsWith("sk_test_");
        assertThat(as(apiKey).get("/v1/personas").status()).as("the replayed key is the tenant's working key").isEqualTo(200);

        // the stored response holds the key only encrypted
        byte[] stored = ownerBytes("select response_body from operator_idempotency_keys where key_hash = ?", sha256Of(key));
        assertThat(stored).isNotNull().isNotEmpty();
        assertThat(contains(stored, "sk_test_")).isFalse();
        assertThat(contains(stored, apiKey.substring(8))).isFalse();
        assertThat(contains(stored, first.json().get("id").asString())).as("the whole response is sealed").isFalse();

        // another name under the same key is another body
        ApiClient.Response reused = operator().withHeader("Idempotency-Key", key).post("/v1/tenants", ApiClient.json(Map.of("name", "Another")));
        assertReused(reused);
        assertThat(delta(before, "tenants")).containsExactly(1L);
    }

    @Test
    void aReplayedCancelAnswers200WithTheSameBody() {
        String callId = createCall(tenant, personaId).get("id").asString();
        String key = newKey();
        String body = ApiClient.json(Map.of("reason", "the family is travelling"));
        long events = ownerCount("call_events");

        ApiClient.Response first = keyed(tenant, key).post("/v1/calls/" + callId + "/cancel", body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("status").asString()).isEqualTo("canceled");
        ApiClient.Response replay = keyed(tenant, key).post("/v1/calls/" + callId + "/cancel", body);
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.header(REPLAYED)).isEqualTo("true");
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(ownerCount("call_events")).as("one call.canceled event").isEqualTo(events + 1);

        // control: the same cancel without the key is a real second cancel, which the call refuses
        ApiClient.Response unkeyed = tenant.api().post("/v1/calls/" + callId + "/cancel", body);
        assertThat(unkeyed.status()).isEqualTo(409);
        assertThat(unkeyed.json().get("type").asString()).isEqualTo(PROBLEMS + "invalid-call-transition");

        // a cancel without a body replays too
        String otherCall = createCall(tenant, personaId).get("id").asString();
        String bodilessKey = newKey();
        ApiClient.Response bodiless = keyed(tenant, bodilessKey).post("/v1/calls/" + otherCall + "/cancel", null);
        assertThat(bodiless.status()).as(bodiless.body()).isEqualTo(200);
        ApiClient.Response bodilessReplay = keyed(tenant, bodilessKey).post("/v1/calls/" + otherCall + "/cancel", null);
        assertThat(bodilessReplay.status()).isEqualTo(200);
        assertThat(bodilessReplay.header(REPLAYED)).isEqualTo("true");
        assertThat(bodilessReplay.body()).isEqualTo(bodiless.body());
    }

    @Test
    void storedResponsesKeepNoReadableSecretAndKeysAreStoredHashed() throws SQLException {
        String key = "my-idempotency-key-" + UUID.randomUUID();
        ApiClient.Response created = keyed(tenant, key).post("/v1/api-keys", ApiClient.json(Map.of("name", "backend")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String secret = created.json().get("secret").asString();
        assertThat(secret).startsWith("sk_test_");

        List<Map<String, Object>> rows = ownerRows("select key_hash, operation, request_hash, response_status, response_body from idempotency_keys where tenant_id = ?", tenant.id());
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row.get("response_status")).isEqualTo(201);
        assertThat(row.get("operation")).isEqualTo("createApiKey");
        byte[] body = (byte[]) row.get("response_body");
        assertThat(body).as("the response is stored, to be replayed").isNotNull().hasSizeGreaterThan(secret.length());
        assertThat(contains(body, "sk_test_")).isFalse();
        assertThat(contains(body, secret.substring(8))).isFalse();
        assertThat(contains(body, "secret")).as("not even the field names are in the clear").isFalse();

        byte[] keyHash = (byte[]) row.get("key_hash");
        assertThat(keyHash).hasSize(32).isNotEqualTo(key.getBytes(StandardCharsets.UTF_8));
        assertThat(contains(keyHash, key)).isFalse();
        for (Object column : row.values()) {
            if (column instanceof byte[] bytes) {
                assertThat(contains(bytes, key)).as("the plain key in a column").isFalse();
            } else {
                assertThat(String.valueOf(column)).doesNotContain(key);
            }
        }

        // yet the key's owner gets the secret back on a replay
        ApiClient.Response replay = keyed(tenant, key).post("/v1/api-keys", ApiClient.json(Map.of("name", "backend")));
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.header(REPLAYED)).isEqualTo("true");
        assertThat(replay.json().get("secret").asString()).isEqualTo(secret);
        assertThat(as(secret).get("/v1/calls").status()).isEqualTo(200);
        assertThat(tenant.api().get("/v1/api-keys?limit=100").json().get("data")).as("the default key and one new key").hasSize(2);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static String newKey() {
        return "idem-" + UUID.randomUUID();
    }

    private static ApiClient keyed(TestTenant tenant, String key) {
        return tenant.api().withHeader("Idempotency-Key", key);
    }

    private static void assertReused(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo(PROBLEMS + "idempotency-key-reused");
        assertThat(problem.get("requestId").asString()).isEqualTo(response.header("X-Request-Id"));
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(response.header(REPLAYED)).isNull();
    }

    private static Map<String, Long> counts(String... tables) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : tables) counts.put(table, ownerCount(table));
        return counts;
    }

    private static List<Long> delta(Map<String, Long> before, String... tables) {
        return Arrays.stream(tables).map(table -> ownerCount(table) - before.get(table)).toList();
    }

    private static long keyCount(TestTenant tenant) {
        try {
            return ((Number) ownerRows("select count(*) as n from idempotency_keys where tenant_id = ?", tenant.id()).get(0).get("n")).longValue();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant expiresAt(TestTenant tenant) throws SQLException {
        List<Map<String, Object>> rows = ownerRows("select expires_at from idempotency_keys where tenant_id = ?", tenant.id());
        assertThat(rows).hasSize(1);
        return ((java.sql.Timestamp) rows.get(0).get("expires_at")).toInstant();
    }

    private static int ownerUpdate(String sql, Object... args) throws SQLException {
        try (Connection c = TestServices.ownerConnection(); PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
        }
    }

    private static byte[] ownerBytes(String sql, Object... args) throws SQLException {
        try (Connection c = TestServices.ownerConnection(); PreparedStatement s = prepare(c, sql, args); ResultSet rs = s.executeQuery()) {
            assertThat(rs.next()).as("a row for " + sql).isTrue();
            return rs.getBytes(1);
        }
    }

    private static List<Map<String, Object>> ownerRows(String sql, Object... args) throws SQLException {
        try (Connection c = TestServices.ownerConnection(); PreparedStatement s = prepare(c, sql, args); ResultSet rs = s.executeQuery()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
        return s;
    }

    /** How the service names a key in the database (see {@link Idempotency}): never the key itself. */
    private static byte[] sha256Of(String key) {
        return Idempotency.sha256("parley-idempotency-key\0" + key);
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) continue outer;
            }
            return true;
        }
        return false;
    }
}
