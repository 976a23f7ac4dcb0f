package io.parley.platform.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the admin UI's identity provider: a JWKS served over loopback HTTP (JDK
 * {@code HttpServer}) and RS256 tokens signed with its key. Start it before the Spring context, point
 * {@code parley.auth.jwt.jwk-set-uri} at {@link #jwkSetUri()} and {@code parley.auth.jwt.issuer-uri}
 * at {@link #issuer()}.
 */
public final class TestJwtIssuer {

    public static final String KEY_ID = "parley-test-key";
    /** The audience Parley's admin UI tokens carry. */
    public static final String AUDIENCE = "parley-admin";

    private final RSAKey signingKey;
    private final HttpServer server;
    private final AtomicInteger jwksRequests = new AtomicInteger();

    private TestJwtIssuer(RSAKey signingKey, HttpServer server) {
        this.signingKey = signingKey;
        this.server = server;
    }

    /** Generates a key and serves its public half at {@code /jwks.json} on 127.0.0.1, on a free port. */
    public static TestJwtIssuer start() {
        try {
            RSAKey key = newKey(KEY_ID);
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            TestJwtIssuer issuer = new TestJwtIssuer(key, server);
            byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks.json", exchange -> {
                issuer.jwksRequests.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks);
                }
            });
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh 2048-bit RSA key: to sign tokens the JWKS does not vouch for. */
    public static RSAKey newKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String issuer() {
        return base() + "/issuer";
    }

    public String jwkSetUri() {
        return base() + "/jwks.json";
    }

    /** How many times the JWKS was fetched: proof the application asked this issuer. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Claims of a valid token of this issuer for {@code subject}, good for five minutes. */
    public JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject(subject)
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    /** A valid token with the tenant and role claims (either may be null: left out). */
    public String token(String subject, Object tenantId, String role) {
        JWTClaimsSet.Builder claims = claims(subject);
        if (tenantId != null) claims.claim("tenant_id", tenantId.toString());
        if (role != null) claims.claim("role", role);
        return sign(claims.build());
    }

    public String sign(JWTClaimsSet claims) {
        return sign(claims, signingKey);
    }

    /** Signs with {@code key} (RS256, its key id in the header). */
    public static String sign(JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned ({@code alg: none}) token with these claims. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }
}
