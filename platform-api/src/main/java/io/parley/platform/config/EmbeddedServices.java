package io.parley.platform.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The laptop default: a PostgreSQL and a Redis of Parley's own, started in-process when none is
 * configured, stopped when the JVM exits. Data lives only as long as the process.
 */
final class EmbeddedServices {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);

    private static EmbeddedPostgres postgres;
    private static RedisServer redis;
    private static int redisPort;

    private EmbeddedServices() {}

    /** Starts (once per JVM) an embedded PostgreSQL; answers its owner connection. */
    static synchronized DatabaseUrl postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setPGStartupWait(Duration.ofSeconds(30))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(EmbeddedServices::stopPostgres));
            log.info("Started embedded PostgreSQL on port {}", postgres.getPort());
        }
        return new DatabaseUrl("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", null);
    }

    /** Starts (once per JVM) an embedded Redis on loopback; answers its URL. */
    static synchronized String redis() {
        if (redis == null) {
            try {
                // a fixed port when asked (the run script shares this Redis with the voice runtime), else any free one
                String fixed = System.getenv("PARLEY_EMBEDDED_REDIS_PORT");
                redisPort = fixed == null || fixed.isBlank() ? freePort() : Integer.parseInt(fixed.strip());
                redis = RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(redisPort)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .onShutdownForceStop(true)
                        .build();
                redis.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the embedded Redis", e);
            }
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(EmbeddedServices::stopRedis));
            log.info("Started embedded Redis on port {}", redisPort);
        }
        return "redis://127.0.0.1:" + redisPort;
    }

    private static void stopPostgres() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }

    private static void stopRedis() {
        try {
            redis.stop();
        } catch (IOException e) {
            log.warn("Embedded Redis did not stop cleanly", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
