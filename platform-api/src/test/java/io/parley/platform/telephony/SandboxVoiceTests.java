package io.parley.platform.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SandboxVoiceTests {

    @Test
    void encodesG711MuLaw() {
        assertThat(SandboxVoice.ulaw((short) 0)).isEqualTo((byte) 0xFF);
        assertThat(SandboxVoice.ulaw((short) -1)).isEqualTo((byte) 0x7F);
        assertThat(SandboxVoice.ulaw(Short.MAX_VALUE)).isEqualTo((byte) 0x80);
        assertThat(SandboxVoice.ulaw(Short.MIN_VALUE)).isEqualTo((byte) 0x00);
        assertThat(SandboxVoice.ulaw((short) 1000)).isEqualTo((byte) 0xCE);
    }

    @Test
    void speaksALineAsEightKilohertzMuLaw() {
        byte[] line = SandboxVoice.speak("It has been a wonderful day, thank you.");
        double seconds = line.length / 8000.0;
        assertThat(seconds).as("a sentence lasts a second or more").isBetween(1.0, 6.0);
        long voiced = 0;
        for (byte b : line) {
            if ((b & 0x7F) < 0x70) voiced++;   // well above silence (0xFF / 0x7F)
        }
        assertThat(voiced).as("not silence").isGreaterThan(line.length / 10);
    }
}
