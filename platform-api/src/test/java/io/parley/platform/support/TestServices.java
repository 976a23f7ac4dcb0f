package io.parley.platform.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real PostgreSQL and Redis the integration tests run against, set up once per JVM.
 *
 * <p>PostgreSQL and Redis on loopback (or where {@code PARLEY_TEST_PG_URL} / {@code PARLEY_TEST_REDIS_URL}
 * point) when their ports answer; else PostgreSQL from Testcontainers when a Docker engine exists;
 * else the tests fail with a message saying what to start. They are never skipped: a skipped
 * integration test checks nothing.
 *
 * <p>Each JVM gets a database of its own ({@code parley_test_<random>}), migrated by the application
 * as the owner, while the application itself connects as the unprivileged {@code parley_app} role.
 */
public final class TestServices {

    public static final String OPERATOR_TOKEN = "test-operator-token";
    /** The key call credentials are signed with in tests (so a test can also make expired ones). */
    public static final String CALL_CREDENTIAL_SECRET = "test-call-credential-key-0123456789abcdef";
    /** The HS256 key of call tokens, shared with the voice runtime; tests only. */
    public static final String CALL_TOKEN_SECRET = "test-call-token-secret-0123456789abcdef";
    /** Base64 of 32 bytes: a key for tests only. */
    public static final String MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LW5vdC1mb3ItcHJvZHVjdCE=";

    /** The stream the application under test consumes the voice runtime's events from. */
    public static final String CALL_EVENTS_STREAM = "parley:call-events:test:" + UUID.randomUUID();

    /** Where this JVM's sandbox carrier keeps what it placed. */
    public static final String SANDBOX_PREFIX = "parley:sandbox:test:" + UUID.randomUUID() + ":";

    private static String ownerUrl;
    private static String redisUrl;

    private TestServices() {}

    /** Sets the system properties the application reads, starting what is needed. Idempotent. */
    public static synchronized void configure() {
        if (ownerUrl == null) {
            ownerUrl = database();
            redisUrl = redis();
        }
        System.setProperty("parley.database.url", ownerUrl);
        System.setProperty("parley.redis.url", redisUrl);
        System.setProperty("parley.embedded.mode", "never");
        System.setProperty("parley.operator-token", OPERATOR_TOKEN);
        System.setProperty("parley.auth.call-credentials.secret", CALL_CREDENTIAL_SECRET);
        // tests fire requests faster than any client should; RateLimitIntegrationTests tests the limiter itself
        System.setProperty("parley.api.rate-limit.burst", "10000");
        // this JVM's application consumes a stream of its own, not the one a developer's runtime writes to
        System.setProperty("parley.call-events.stream", CALL_EVENTS_STREAM);
        System.setProperty("parley.call-events.dead-letter-stream", CALL_EVENTS_STREAM + ":dead");
        // calls stay where tests put them: dispatch tests run dispatchers of their own (CallDispatchIntegrationTests)
        System.setProperty("parley.dispatch.enabled", "false");
        System.setProperty("parley.telephony.sandbox-key-prefix", SANDBOX_PREFIX);
        System.setProperty("parley.encryption.master-key", MASTER_KEY);
        System.setProperty("parley.runtime.call-token-secret", CALL_TOKEN_SECRET);
        // webhook receivers in tests listen on loopback; retries come quickly (the default schedule has its own test)
        System.setProperty("parley.webhooks.allowed-private-networks", "127.0.0.1/32");
        System.setProperty("parley.webhooks.retry-schedule", "1s,1s");
        System.setProperty("parley.webhooks.poll", "100ms");
        // Stripe's test-mode webhooks are verified with this secret; no Stripe secret key, so tenants without a
        // subscription stay on the local free plan (BillingIntegrationTests subscribe through signed webhooks)
        System.setProperty("parley.billing.stripe.test.webhook-secret", STRIPE_TEST_WEBHOOK_SECRET);
        System.setProperty("parley.billing.stripe.live.webhook-secret", STRIPE_LIVE_WEBHOOK_SECRET);
    }

    /** Made up for tests: Stripe's signing secrets of the test and live endpoints. */
    public static final String STRIPE_TEST_WEBHOOK_SECRET = "whsec_test_" + java.util.UUID.randomUUID().toString().replace("-", "");
    public static final String STRIPE_LIVE_WEBHOOK_SECRET = "whsec_live_" + java.util.UUID.randomUUID().toString().replace("-", "");

    /** The owner's (superuser's) JDBC URL of the test database, credentials included. */
    public static String ownerUrl() {
        configure();
        return ownerUrl;
    }

    public static Connection ownerConnection() throws SQLException {
        return DriverManager.getConnection(ownerUrl());
    }

    /** A connection as the application's role, which row-level security binds. */
    public static Connection appConnection() throws SQLException {
        String url = ownerUrl().replaceAll("[?&]user=[^&]*", "").replaceAll("[?&]password=[^&]*", "");
        return DriverManager.getConnection(url, "parley_app", "");
    }

    private static String database() {
        String server = env("PARLEY_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        if (!answers(server, 5432)) {
            return testcontainersDatabase();
        }
        String name = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL answers at " + server + " but a test database could not be created: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
                s.execute("drop database if exists " + name + " with (force)");
            } catch (SQLException ignored) {
                // best effort: a leftover test database is harmless
            }
        }));
        return server.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    private static String testcontainersDatabase() {
        boolean docker;
        try {
            docker = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            docker = false;
        }
        if (!docker) {
            throw new IllegalStateException("""
                    Integration tests need PostgreSQL: none answers on 127.0.0.1:5432 (or PARLEY_TEST_PG_URL) and no Docker \
                    engine is available for Testcontainers. Start one, e.g. \
                    `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or run `bash .ci/run`, which does.""");
        }
        var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine");
        container.start();
        return container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                + "user=" + container.getUsername() + "&password=" + container.getPassword();
    }

    private static String redis() {
        String url = env("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379");
        if (!answers(url.replaceFirst("^redis://", "http://"), 6379)) {
            throw new IllegalStateException("""
                    Integration tests need Redis: none answers at %s (PARLEY_TEST_REDIS_URL). Start one, e.g. \
                    `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`, or run `bash .ci/run`.""".formatted(url));
        }
        return url;
    }

    private static boolean answers(String url, int defaultPort) {
        java.net.URI uri = java.net.URI.create(url.replaceFirst("^jdbc:", ""));
        int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
