package io.parley.platform.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.config.ParleyProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallCredentialsTests {

    static final String KEY = "call-credential-key-for-unit-tests-0123456789";
    static final Instant NOW = Instant.parse("2026-12-20T17:00:00Z");
    static final TenantId TENANT = new TenantId(UUID.randomUUID());
    static final CallGrant GRANT = new CallGrant(UUID.randomUUID(), UUID.randomUUID(), "+442071838750");

    static CallCredentials credentials(String key, String previous, Instant now) {
        return new CallCredentials(new ParleyProperties.CallCredentials(key, previous, Duration.ofMinutes(15)), Clock.fixed(now, ZoneOffset.UTC));
    }

    static String mint(CallCredentials credentials) {
        return credentials.mint(TENANT, Mode.TEST, GRANT, Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(30)).value();
    }

    @Test
    void aMintedCredentialStandsForItsCallConfinedToItsCalleeAndPersona() {
        CallCredentials credentials = credentials(KEY, null, NOW);
        CallCredential minted = credentials.mint(TENANT, Mode.TEST, GRANT, Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(30));

        assertThat(minted.value()).startsWith("cc_test_");
        assertThat(minted.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(45)));
        assertThat(minted.toString()).doesNotContain(minted.value().substring(8, 20));
        Caller caller = credentials.authenticate(minted.value()).orElseThrow();
        assertThat(caller.tenant()).isEqualTo(TENANT);
        assertThat(caller.mode()).isEqualTo(Mode.TEST);
        assertThat(caller.actor()).isEqualTo("call:" + GRANT.callId());
        assertThat(caller.grant()).isEqualTo(GRANT);
        assertThat(caller.scopes()).containsExactlyInAnyOrder(Scope.CALLS_WRITE, Scope.CALLS_READ);
    }

    @Test
    void aLiveCallsCredentialSaysSoInItsPrefix() {
        CallCredentials credentials = credentials(KEY, null, NOW);
        String live = credentials.mint(TENANT, Mode.LIVE, GRANT, Set.of(Scope.CALLS_READ), Duration.ofMinutes(5)).value();

        assertThat(live).startsWith("cc_live_");
        assertThat(credentials.authenticate(live).orElseThrow().mode()).isEqualTo(Mode.LIVE);
        assertThat(credentials.authenticate("cc_test_" + live.substring(8))).as("prefix swapped to test").isEmpty();
    }

    @Test
    void itExpiresAfterTheCallsMaximumLengthAndTheMarginAndNeverLivesLongerThanSixHours() {
        String token = mint(credentials(KEY, null, NOW));

        assertThat(credentials(KEY, null, NOW.plus(Duration.ofMinutes(45))).authenticate(token)).isPresent();
        assertThat(credentials(KEY, null, NOW.plus(Duration.ofMinutes(46))).authenticate(token)).isEmpty();

        CallCredential day = credentials(KEY, null, NOW).mint(TENANT, Mode.TEST, GRANT, Set.of(Scope.CALLS_WRITE), Duration.ofDays(1));
        assertThat(day.expiresAt()).isEqualTo(NOW.plus(CallCredentials.MAX_LIFETIME));
    }

    @Test
    void anotherKeysOrAnAlteredCredentialIsRefused() {
        String token = mint(credentials(KEY, null, NOW));
        CallCredentials ours = credentials(KEY, null, NOW);

        assertThat(ours.authenticate(mint(credentials("someone-elses-key-0123456789abcdefghijkl", null, NOW)))).isEmpty();
        String[] parts = token.substring(8).split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).contains("+442071838750");
        String otherCallee = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.replace("+442071838750", "+14155550100").getBytes(StandardCharsets.UTF_8));
        assertThat(ours.authenticate("cc_test_" + parts[0] + "." + otherCallee + "." + parts[2])).isEmpty();
        String signature = parts[2];
        String otherSignature = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
        assertThat(ours.authenticate("cc_test_" + parts[0] + "." + parts[1] + "." + otherSignature)).isEmpty();
        assertThat(ours.authenticate(token)).isPresent();
    }

    @Test
    void anUnsignedOrJwtShapedTokenIsNoCredential() {
        CallCredentials ours = credentials(KEY, null, NOW);
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"parley-call+jwt\"}".getBytes(StandardCharsets.UTF_8));
        String token = mint(ours);
        String payload = token.substring(8).split("\\.")[1];

        assertThat(ours.authenticate("cc_test_" + header + "." + payload + ".")).isEmpty();
        assertThat(ours.authenticate(token.substring(8))).as("without its prefix").isEmpty();
        assertThat(ours.authenticate("cc_test_not-a-jws")).isEmpty();
    }

    @Test
    void thePreviousKeyIsAcceptedWhileRotatingButNeverUsedToMint() {
        String oldKey = "the-key-before-rotation-0123456789abcdefgh";
        String signedWithOld = mint(credentials(oldKey, null, NOW));
        CallCredentials rotated = credentials(KEY, oldKey, NOW);

        assertThat(rotated.authenticate(signedWithOld)).isPresent();
        assertThat(credentials(oldKey, null, NOW).authenticate(mint(rotated))).isEmpty();
        assertThat(credentials(KEY, null, NOW).authenticate(signedWithOld)).as("once the old key is dropped").isEmpty();
    }

    @Test
    void carriesOnlyCallsScopesAndAtLeastOne() {
        CallCredentials credentials = credentials(KEY, null, NOW);
        assertThatThrownBy(() -> credentials.mint(TENANT, Mode.TEST, GRANT, Set.of(Scope.PERSONAS_WRITE), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> credentials.mint(TENANT, Mode.TEST, GRANT, EnumSet.noneOf(Scope.class), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(credentials.authenticate(credentials.mint(TENANT, Mode.TEST, GRANT, Set.of(Scope.CALLS_READ), Duration.ofMinutes(5)).value())
                .orElseThrow().scopes()).containsExactly(Scope.CALLS_READ);
    }

    @Test
    void withoutAKeyNoneIsMintedOrAcceptedAndAShortKeyIsRefusedAtStart() {
        CallCredentials none = credentials("", null, NOW);
        assertThat(none.enabled()).isFalse();
        assertThatThrownBy(() -> mint(none)).isInstanceOf(IllegalStateException.class);
        assertThat(none.authenticate(mint(credentials(KEY, null, NOW)))).isEmpty();

        assertThatThrownBy(() -> credentials("too-short", null, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
    }
}
