package io.parley.runtime.tools;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How platform tools reach platform-api's public API ({@code parley.runtime.platform-api.*}, commented in
 * application.yaml).
 *
 * @param url            platform-api's base URL ({@code PARLEY_API_URL}); blank: no platform tools on this instance
 * @param toolTimeout    how long one tool may take, retries included, before the model hears it timed out
 * @param connectTimeout how long opening a connection to platform-api may take
 * @param maxRetries     retries of a failed request (network errors, 429, 5xx) within the tool timeout
 */
@ConfigurationProperties("parley.runtime.platform-api")
public record PlatformApiProperties(String url, Duration toolTimeout, Duration connectTimeout, Integer maxRetries) {

    public PlatformApiProperties {
        url = url == null || url.isBlank() ? null : url.strip();
        toolTimeout = toolTimeout == null ? Duration.ofSeconds(5) : toolTimeout;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        maxRetries = maxRetries == null ? 1 : maxRetries;
        if (url != null) {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("parley.runtime.platform-api.url (PARLEY_API_URL) must be an http(s) URL, not " + url);
            }
        }
        if (toolTimeout.isNegative() || toolTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero() || maxRetries < 0) {
            throw new IllegalArgumentException("platform-api timeouts must be positive and maxRetries not negative");
        }
    }

    /** platform-api at {@code url}, with the default timeouts. */
    public static PlatformApiProperties at(String url) {
        return new PlatformApiProperties(url, null, null, null);
    }

    public boolean configured() {
        return url != null;
    }
}
