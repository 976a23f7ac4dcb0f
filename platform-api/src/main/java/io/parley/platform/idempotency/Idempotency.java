package io.parley.platform.idempotency;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a POST safe to retry. The first request with an {@code Idempotency-Key} claims the key with
 * an insert in the <em>same</em> transaction as its work, and stores its response there: either both
 * commit or neither does. A concurrent request with the same key waits on that insert and then
 * replays the committed response. The same key with another body or operation is rejected.
 * Requests that end in a problem roll back, key included, so they may be retried with the same key.
 */
@Component
public class Idempotency {

    /** Response header marking a replayed response. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a request waits for a concurrent one with the same key before answering 409. */
    static final Duration IN_USE_WAIT = Duration.ofSeconds(5);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final JsonMapper canonical;
    private final Clock clock;
    private final Duration ttl;

    public Idempotency(TenantTransactions transactions, JdbcTemplate jdbc, JsonMapper json, Clock clock, ParleyProperties properties) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.json = json;
        this.canonical = json.rebuild()
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .build();
        this.clock = clock;
        this.ttl = properties.api().idempotencyTtl();
    }

    /** Runs a tenant's POST {@code operation} once per key; {@code key} null runs it plainly. */
    public <T> ResponseEntity<T> run(TenantId tenant, String key, String operation, Object request, Class<T> type,
                                     Supplier<ResponseEntity<T>> work) {
        if (key == null) {
            return work.get();
        }
        return transactions.write(tenant, () -> runKeyed(new Store.Tenant(tenant), key, operation, request, type, work));
    }

    /** Runs an operator's POST {@code operation} once per key. */
    public <T> ResponseEntity<T> runForOperator(String key, String operation, Object request, Class<T> type,
                                                Supplier<ResponseEntity<T>> work) {
        if (key == null) {
            return work.get();
        }
        return transactions.withoutTenant(() -> runKeyed(new Store.Operator(), key, operation, request, type, work));
    }

    private <T> ResponseEntity<T> runKeyed(Store store, String key, String operation, Object request, Class<T> type,
                                           Supplier<ResponseEntity<T>> work) {
        byte[] keyHash = sha256("parley-idempotency-key\0" + key);
        byte[] requestHash = sha256(operation + "\0" + canonical.writeValueAsString(request));
        Instant now = clock.instant();

        boolean claimed;
        try {
            // a concurrent request with this key holds it until it ends: wait a little, then say so
            jdbc.execute("set local lock_timeout = '" + IN_USE_WAIT.toMillis() + "ms'");
            claimed = store.claim(jdbc, keyHash, operation, requestHash, now, now.plus(ttl));
            jdbc.execute("set local lock_timeout = default");
        } catch (DataAccessException e) {
            if (!lockTimeout(e)) {
                throw e;
            }
            throw new ApiProblemException(ProblemType.IDEMPOTENCY_KEY_IN_USE,
                    "A request with this Idempotency-Key is still running; retry after it finishes");
        }
        if (!claimed) {
            Stored stored = store.find(jdbc, keyHash);
            if (stored == null || stored.expiresAt().isBefore(now)) {
                store.delete(jdbc, keyHash);
                return runKeyed(store, key, operation, request, type, work);
            }
            if (!stored.operation().equals(operation) || !MessageDigest.isEqual(stored.requestHash(), requestHash)) {
                throw new ApiProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used with another request; use a new key for a new request",
                        List.of(new ApiProblemException.FieldError("Idempotency-Key", "already used with another request")));
            }
            return replay(stored, key, type);
        }

        ResponseEntity<T> response = work.get();
        byte[] body = response.getBody() == null ? null : encrypt(key, json.writeValueAsBytes(response.getBody()));
        store.complete(jdbc, keyHash, response.getStatusCode().value(), body);
        return response;
    }

    private <T> ResponseEntity<T> replay(Stored stored, String key, Class<T> type) {
        T body = stored.body() == null ? null : json.readValue(decrypt(key, stored.body()), type);
        HttpHeaders headers = new HttpHeaders();
        headers.set(REPLAYED_HEADER, "true");
        return new ResponseEntity<>(body, headers, HttpStatusCode.valueOf(stored.status()));
    }

    /** Forgets keys older than the TTL (hourly). */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    public void purgeExpired() {
        Timestamp now = Timestamp.from(clock.instant());
        Integer tenants = jdbc.queryForObject("select parley_purge_expired_idempotency_keys(?)", Integer.class, now);
        int operator = jdbc.update("delete from operator_idempotency_keys where expires_at < ?", now);
        log.debug("Purged {} expired idempotency keys", (tenants == null ? 0 : tenants) + operator);
    }

    /** PostgreSQL's lock_not_available (55P03), which Spring does not always translate to a locking failure. */
    private static boolean lockTimeout(DataAccessException e) {
        if (e instanceof PessimisticLockingFailureException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    // The stored response is encrypted under a key derived from the idempotency key, which the
    // database never holds: a new API key's secret in a stored response stays unreadable there.
    private static byte[] encrypt(String idempotencyKey, byte[] plain) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, responseKey(idempotencyKey), new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decrypt(String idempotencyKey, byte[] stored) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, responseKey(idempotencyKey), new GCMParameterSpec(128, stored, 0, 12));
            return cipher.doFinal(stored, 12, stored.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecretKeySpec responseKey(String idempotencyKey) {
        return new SecretKeySpec(sha256("parley-idempotency-response\0" + idempotencyKey), "AES");
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Stored(String operation, byte[] requestHash, Integer status, byte[] body, Instant expiresAt) {}

    /** Where keys live: per tenant (under row-level security) or the operator's own table. */
    private sealed interface Store {

        String table();

        String scopeColumns();

        Object[] scopeValues();

        default String scopeFilter() {
            return scopeColumns().isEmpty() ? "" : " and tenant_id = ?";
        }

        default boolean claim(JdbcTemplate jdbc, byte[] keyHash, String operation, byte[] requestHash, Instant now, Instant expires) {
            String columns = (scopeColumns().isEmpty() ? "" : scopeColumns() + ", ") + "key_hash, operation, request_hash, created_at, expires_at";
            String marks = (scopeColumns().isEmpty() ? "" : "?, ") + "?, ?, ?, ?, ?";
            Object[] args = concat(scopeValues(), keyHash, operation, requestHash, Timestamp.from(now), Timestamp.from(expires));
            return jdbc.update("insert into " + table() + " (" + columns + ") values (" + marks + ") on conflict do nothing", args) == 1;
        }

        default Stored find(JdbcTemplate jdbc, byte[] keyHash) {
            return jdbc.query("select operation, request_hash, response_status, response_body, expires_at from " + table()
                            + " where key_hash = ?" + scopeFilter(),
                    rs -> rs.next() ? new Stored(rs.getString(1), rs.getBytes(2), (Integer) rs.getObject(3), rs.getBytes(4),
                            rs.getTimestamp(5).toInstant()) : null,
                    concat(new Object[] {keyHash}, scopeValues()));
        }

        default void delete(JdbcTemplate jdbc, byte[] keyHash) {
            jdbc.update("delete from " + table() + " where key_hash = ?" + scopeFilter(), concat(new Object[] {keyHash}, scopeValues()));
        }

        default void complete(JdbcTemplate jdbc, byte[] keyHash, int status, byte[] body) {
            jdbc.update("update " + table() + " set response_status = ?, response_body = ? where key_hash = ?" + scopeFilter(),
                    concat(new Object[] {status, body, keyHash}, scopeValues()));
        }

        private static Object[] concat(Object[] first, Object... rest) {
            Object[] all = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, all, first.length, rest.length);
            return all;
        }

        record Tenant(TenantId tenant) implements Store {
            public String table() { return "idempotency_keys"; }
            public String scopeColumns() { return "tenant_id"; }
            public Object[] scopeValues() { return new Object[] {tenant.value()}; }
        }

        record Operator() implements Store {
            public String table() { return "operator_idempotency_keys"; }
            public String scopeColumns() { return ""; }
            public Object[] scopeValues() { return new Object[0]; }
        }
    }
}
