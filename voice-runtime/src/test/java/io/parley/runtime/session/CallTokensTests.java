package io.parley.runtime.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallTokensTests {

    static final String SECRET = "0123456789abcdef0123456789abcdef";
    final Clock clock = Clock.fixed(Instant.parse("2026-12-24T18:00:00Z"), ZoneOffset.UTC);
    final CallTokens tokens = new CallTokens(SECRET, clock);

    @Test
    void aMintedTokenVerifies() {
        UUID call = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        CallToken token = tokens.verify(tokens.mint(call, tenant, Duration.ofMinutes(2))).orElseThrow();
        assertThat(token.callId()).isEqualTo(call);
        assertThat(token.tenantId()).isEqualTo(tenant);
        assertThat(token.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));
    }

    @Test
    void refusesExpiredForgedUnsignedAndIncompleteTokens() throws Exception {
        String minted = tokens.mint(UUID.randomUUID(), UUID.randomUUID(), Duration.ofMinutes(2));
        CallTokens later = new CallTokens(SECRET, Clock.offset(clock, Duration.ofMinutes(2).plusSeconds(6)));
        assertThat(later.verify(minted)).isEmpty();
        assertThat(new CallTokens(SECRET, Clock.offset(clock, Duration.ofMinutes(2).plusSeconds(4))).verify(minted)).as("skew").isPresent();

        assertThat(new CallTokens("another-secret-another-secret-xx", clock).verify(minted)).isEmpty();
        assertThat(tokens.verify(minted.substring(0, minted.length() - 2) + "AA")).isEmpty();

        JWTClaimsSet complete = new JWTClaimsSet.Builder().subject(UUID.randomUUID().toString()).claim("tid", UUID.randomUUID().toString())
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).build();
        assertThat(tokens.verify(new PlainJWT(complete).serialize())).as("alg none").isEmpty();
        assertThat(tokens.verify(sign(complete, JWSAlgorithm.HS512, SECRET + SECRET))).as("another algorithm").isEmpty();
        assertThat(tokens.verify(sign(complete, JWSAlgorithm.HS256, SECRET))).as("control").isPresent();
        assertThat(tokens.verify(sign(new JWTClaimsSet.Builder(complete).claim("tid", null).build(), JWSAlgorithm.HS256, SECRET))).isEmpty();
        assertThat(tokens.verify(sign(new JWTClaimsSet.Builder(complete).subject("not-a-uuid").build(), JWSAlgorithm.HS256, SECRET))).isEmpty();
        assertThat(tokens.verify(sign(new JWTClaimsSet.Builder(complete).expirationTime(null).build(), JWSAlgorithm.HS256, SECRET))).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        assertThat(tokens.verify("garbage")).isEmpty();
    }

    @Test
    void aShortSecretIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new CallTokens("short", clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallTokens(null, clock)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm alg, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(new MACSigner(secret.getBytes()));
        return jwt.serialize();
    }
}
