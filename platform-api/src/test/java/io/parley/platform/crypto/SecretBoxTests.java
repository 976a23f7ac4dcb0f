package io.parley.platform.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTests {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void opensWhatItSealedInTheSameContextOnly() {
        SecretBox box = new SecretBox(KEY);
        byte[] sealed = box.seal("whsec_abc".getBytes(StandardCharsets.UTF_8), "endpoint:1");

        assertThat(new String(box.open(sealed, "endpoint:1"), StandardCharsets.UTF_8)).isEqualTo("whsec_abc");
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).as("not the plaintext").doesNotContain("whsec_abc");
        assertThat(box.seal("whsec_abc".getBytes(StandardCharsets.UTF_8), "endpoint:1")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThatThrownBy(() -> box.open(sealed, "endpoint:2")).isInstanceOf(IllegalArgumentException.class);
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> box.open(sealed, "endpoint:1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anotherKeyCannotOpenIt() {
        byte[] sealed = new SecretBox(KEY).seal(new byte[] {1, 2, 3}, "c");
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new SecretBox(Base64.getEncoder().encodeToString(other)).open(sealed, "c"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAMissingOrMisshapenKeyAtStart() {
        assertThatThrownBy(() -> new SecretBox((String) null)).hasMessageContaining("PARLEY_MASTER_KEY is not set");
        assertThatThrownBy(() -> new SecretBox("not base64!")).hasMessageContaining("not base64");
        assertThatThrownBy(() -> new SecretBox(Base64.getEncoder().encodeToString(new byte[16]))).hasMessageContaining("32 bytes");
    }
}
