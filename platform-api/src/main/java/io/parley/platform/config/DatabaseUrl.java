package io.parley.platform.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL location as operators write it: {@code jdbc:postgresql://host:port/db?user=..&password=..}
 * or {@code postgres://user:pass@host:port/db}. Credentials are split off the JDBC URL so that the
 * same URL serves both the owner (migrations) and the application role.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    public static DatabaseUrl parse(String url) {
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri = URI.create(url);
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decodeUserInfo(parts[0]);
                password = parts.length > 1 ? decodeUserInfo(parts[1]) : null;
            }
            int port = uri.getPort() > 0 ? uri.getPort() : 5432;
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new DatabaseUrl("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath() + query, user, password);
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("DATABASE_URL must be a jdbc:postgresql: or postgres:// URL");
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return new DatabaseUrl(url, null, null);
        }
        String user = null;
        String password = null;
        List<String> kept = new ArrayList<>();
        for (String param : url.substring(q + 1).split("&")) {
            if (param.startsWith("user=")) {
                user = decode(param.substring(5));
            } else if (param.startsWith("password=")) {
                password = decode(param.substring(9));
            } else if (!param.isEmpty()) {
                kept.add(param);
            }
        }
        String base = url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseUrl(base, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** User info is percent-encoded (RFC 3986), not form-encoded: a literal '+' is a plus, as libpq reads it. */
    private static String decodeUserInfo(String s) {
        return decode(s.replace("+", "%2B"));
    }
}
