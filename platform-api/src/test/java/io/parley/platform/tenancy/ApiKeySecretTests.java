package io.parley.platform.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeySecretTests {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    @Test
    void testKeyIsPrefixedAndHas32Base62Characters() {
        ApiKeySecret secret = ApiKeySecret.generate(Mode.TEST);

        assertThat(secret.value()).startsWith("sk_test_").hasSize(8 + 32);
        assertThat(secret.value().substring(8)).matches("[0-9A-Za-z]{32}");
        assertThat(secret.mode()).isEqualTo(Mode.TEST);
        assertThat(ApiKeySecret.looksLike(secret.value())).isTrue();
    }

    @Test
    void liveKeyIsPrefixedLive() {
        ApiKeySecret secret = ApiKeySecret.generate(Mode.LIVE);

        assertThat(secret.value()).startsWith("sk_live_").hasSize(8 + 32);
        assertThat(secret.mode()).isEqualTo(Mode.LIVE);
        assertThat(secret.prefix()).isEqualTo(secret.value().substring(0, 12)).startsWith("sk_live_");
    }

    @Test
    void prefixAndLast4() {
        ApiKeySecret secret = new ApiKeySecret("sk_test_4eC39HqLyjWDarjtT1zdp7dcABCDEFGH");

        assertThat(secret.prefix()).isEqualTo("sk_test_4eC3");
        assertThat(secret.last4()).isEqualTo("EFGH");
        assertThat(secret.mode()).isEqualTo(Mode.TEST);
        assertThat(ApiKeySecret.prefixOf(Mode.TEST)).isEqualTo("sk_test_");
        assertThat(ApiKeySecret.prefixOf(Mode.LIVE)).isEqualTo("sk_live_");
    }

    @Test
    void toStringRevealsOnlyPrefixAndLast4() {
        ApiKeySecret secret = ApiKeySecret.generate(Mode.TEST);
        String middle = secret.value().substring(12, secret.value().length() - 4);

        assertThat(secret.toString()).isEqualTo(secret.prefix() + "…" + secret.last4()).doesNotContain(middle);
    }

    @Test
    void hashIsStableSha256OfTheWholeKey() throws Exception {
        ApiKeySecret secret = ApiKeySecret.generate(Mode.TEST);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(secret.value().getBytes(StandardCharsets.UTF_8));

        assertThat(secret.hash()).hasSize(32).isEqualTo(expected);
        assertThat(new ApiKeySecret(secret.value()).hash()).isEqualTo(secret.hash());
        // the mode prefix is part of what is hashed: the same random part under sk_live_ is another key
        ApiKeySecret swapped = new ApiKeySecret("sk_live_" + secret.value().substring(8));
        assertThat(swapped.hash()).isNotEqualTo(secret.hash());
        assertThat(swapped.mode()).isEqualTo(Mode.LIVE);
    }

    @Test
    void twoKeysDiffer() {
        ApiKeySecret a = ApiKeySecret.generate(Mode.TEST);
        ApiKeySecret b = ApiKeySecret.generate(Mode.TEST);

        assertThat(a.value()).isNotEqualTo(b.value());
        assertThat(a.hash()).isNotEqualTo(b.hash());
    }

    @Test
    void randomPartDrawsOnAllOfBase62() {
        Set<String> keys = new HashSet<>();
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String value = ApiKeySecret.generate(Mode.TEST).value();
            keys.add(value);
            value.substring(8).chars().forEach(c -> seen.add((char) c));
        }
        assertThat(keys).as("no repeats in 2000 keys").hasSize(2000);
        // 64,000 draws: every one of the 62 characters shows up, and nothing else does
        Set<Character> alphabet = new HashSet<>();
        BASE62.chars().forEach(c -> alphabet.add((char) c));
        assertThat(seen).isEqualTo(alphabet);
    }

    @Test
    void onlyOurPrefixesLookLikeKeys() {
        assertThat(ApiKeySecret.looksLike("sk_test_x")).isTrue();
        assertThat(ApiKeySecret.looksLike("sk_live_x")).isTrue();
        assertThat(ApiKeySecret.looksLike("sk_prod_x")).isFalse();
        assertThat(ApiKeySecret.looksLike("pk_test_x")).isFalse();
        assertThat(ApiKeySecret.looksLike("eyJhbGciOiJSUzI1NiJ9.e30.sig")).isFalse();
        assertThat(ApiKeySecret.looksLike("SK_TEST_x")).isFalse();
    }
}
