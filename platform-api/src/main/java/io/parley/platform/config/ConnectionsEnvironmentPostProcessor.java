package io.parley.platform.config;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Parley's connection settings into Spring's, before any bean exists.
 *
 * <p>PostgreSQL: {@code parley.database.url} (DATABASE_URL) is the owner's connection, used by Flyway;
 * the application's pool connects to the same database as {@code parley.database.app-role}. When
 * {@code spring.datasource.url} is set, Spring's own properties are used as they are. With neither,
 * an embedded PostgreSQL starts (unless {@code parley.embedded.mode=never}).
 *
 * <p>Redis: {@code parley.redis.url} (REDIS_URL), else {@code spring.data.redis.*}, else an embedded Redis.
 */
public class ConnectionsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "parleyConnections";
    static final String OPERATOR_TOKEN_GENERATED = "parley.embedded.operator-token-generated";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new HashMap<>();
        boolean embeddedAllowed = !"never".equalsIgnoreCase(env.getProperty("parley.embedded.mode", "auto"));
        boolean embeddedUsed = false;

        if (!hasText(env.getProperty("spring.datasource.url"))) {
            DatabaseUrl owner;
            String url = env.getProperty("parley.database.url");
            if (hasText(url)) {
                owner = DatabaseUrl.parse(url);
            } else if (embeddedAllowed) {
                owner = EmbeddedServices.postgres();
                embeddedUsed = true;
            } else {
                throw new IllegalStateException(
                        "No database configured: set DATABASE_URL (or spring.datasource.url), or allow the embedded default (PARLEY_EMBEDDED=auto)");
            }
            props.put("spring.flyway.url", owner.jdbcUrl());
            props.put("spring.flyway.user", owner.username() == null ? "" : owner.username());
            props.put("spring.flyway.password", owner.password() == null ? "" : owner.password());
            props.put("spring.datasource.url", owner.jdbcUrl());
            props.put("spring.datasource.username", env.getProperty("parley.database.app-role", "parley_app"));
            props.put("spring.datasource.password", env.getProperty("parley.database.app-password", ""));
        }

        boolean redisConfigured = hasText(env.getProperty("spring.data.redis.url"))
                || hasText(env.getProperty("spring.data.redis.host"));
        if (!redisConfigured) {
            String url = env.getProperty("parley.redis.url");
            if (hasText(url)) {
                props.put("spring.data.redis.url", url);
            } else if (embeddedAllowed) {
                props.put("spring.data.redis.url", EmbeddedServices.redis());
                embeddedUsed = true;
            } else {
                throw new IllegalStateException(
                        "No Redis configured: set REDIS_URL (or spring.data.redis.url), or allow the embedded default (PARLEY_EMBEDDED=auto)");
            }
        }

        if (embeddedUsed) {
            // read by parley.demo.enabled: the embedded default prints a demo tenant's test key
            props.put("parley.embedded.active", "true");
            // a laptop run may create tenants too: with no operator token set, make one up and print it
            if (!hasText(env.getProperty("parley.operator-token"))) {
                byte[] random = new byte[24];
                new java.security.SecureRandom().nextBytes(random);
                props.put("parley.operator-token", "op_" + java.util.HexFormat.of().formatHex(random));
                props.put(OPERATOR_TOKEN_GENERATED, "true");
            }
            // one instance on a laptop: a key made up at start signs and checks the call credentials of its calls
            if (!hasText(env.getProperty("parley.auth.call-credentials.secret"))) {
                byte[] random = new byte[32];
                new java.security.SecureRandom().nextBytes(random);
                props.put("parley.auth.call-credentials.secret", java.util.HexFormat.of().formatHex(random));
            }
            // the embedded PostgreSQL lives as long as this process: so may the key of the secrets it keeps
            if (!hasText(env.getProperty("parley.encryption.master-key"))) {
                byte[] random = new byte[32];
                new java.security.SecureRandom().nextBytes(random);
                props.put("parley.encryption.master-key", java.util.Base64.getEncoder().encodeToString(random));
            }
        }
        env.getPropertySources().addFirst(new MapPropertySource(SOURCE_NAME, props));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
