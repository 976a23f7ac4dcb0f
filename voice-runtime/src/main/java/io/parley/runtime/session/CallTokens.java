package io.parley.runtime.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * The call token format shared with platform-api (which mints it when it dials): a JWS, HS256 only,
 * with the secret {@code PARLEY_CALL_TOKEN_SECRET}; claims {@code sub} = call id, {@code tid} =
 * tenant id, {@code exp}. Twilio hands it back in {@code start.customParameters.token}.
 */
public final class CallTokens {

    /** Clock skew forgiven between the minting and the verifying machine. */
    static final Duration SKEW = Duration.ofSeconds(5);

    private final byte[] secret;
    private final Clock clock;

    public CallTokens(String secret, Clock clock) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("PARLEY_CALL_TOKEN_SECRET must be at least 32 bytes");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** The token's call, if it is ours (HS256 with our secret), complete and not expired; empty otherwise. */
    public Optional<CallToken> verify(String token) {
        if (token == null || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(secret))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            String tenant = claims.getStringClaim("tid");
            if (exp == null || claims.getSubject() == null || tenant == null) {
                return Optional.empty();
            }
            Instant expiresAt = exp.toInstant();
            if (clock.instant().isAfter(expiresAt.plus(SKEW))) {
                return Optional.empty();
            }
            return Optional.of(new CallToken(UUID.fromString(claims.getSubject()), UUID.fromString(tenant), expiresAt));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Mints a token (platform-api does this when dialling; the sandbox carrier and tests do too). */
    public String mint(UUID callId, UUID tenantId, Duration lifetime) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(callId.toString())
                    .claim("tid", tenantId.toString())
                    .expirationTime(Date.from(clock.instant().plus(lifetime)))
                    .build());
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
