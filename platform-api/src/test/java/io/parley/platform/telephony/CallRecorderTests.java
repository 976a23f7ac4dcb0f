package io.parley.platform.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CallRecorderTests {

    @Test
    void muLawDecodesAsG711Says() {
        assertThat(CallRecorder.decode((byte) 0xFF)).isZero();
        assertThat(CallRecorder.decode((byte) 0x7F)).isZero();
        assertThat(CallRecorder.decode((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(CallRecorder.decode((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(CallRecorder.decode((byte) 0xFE)).isEqualTo((short) 8);
        assertThat(CallRecorder.decode((byte) 0xEF)).isEqualTo((short) 132);
    }

    @Test
    void bothPartiesAreMixedWhereTheyWereHeardIntoAWav() {
        CallRecorder recorder = new CallRecorder(Duration.ofSeconds(60));
        byte[] loud = new byte[160];
        Arrays.fill(loud, (byte) 0x80);      // +32124
        byte[] quiet = new byte[160];
        Arrays.fill(quiet, (byte) 0xFE);     // +8
        recorder.add(0, quiet);
        recorder.add(80, loud);              // half a frame later, overlapping: clamped, not wrapped
        recorder.add(8_000, quiet);          // one second in

        byte[] wav = recorder.wav();
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(wav, 0, 4)).isEqualTo("RIFF");
        assertThat(new String(wav, 8, 4)).isEqualTo("WAVE");
        assertThat(b.getShort(20)).as("PCM").isEqualTo((short) 1);
        assertThat(b.getShort(22)).as("mono").isEqualTo((short) 1);
        assertThat(b.getInt(24)).as("8 kHz").isEqualTo(8_000);
        assertThat(b.getShort(34)).as("16-bit").isEqualTo((short) 16);
        int samples = b.getInt(40) / 2;
        assertThat(samples).isEqualTo(8_160);
        assertThat(b.getShort(44)).isEqualTo((short) 8);
        assertThat(b.getShort(44 + 2 * 100)).as("8 + 32124").isEqualTo((short) 32132);
        assertThat(b.getShort(44 + 2 * 200)).as("the loud frame alone").isEqualTo((short) 32124);
        assertThat(b.getShort(44 + 2 * 4_000)).as("silence between").isZero();
        assertThat(recorder.duration()).isEqualTo(Duration.ofMillis(1_020));
    }

    @Test
    void audioPastTheLongestRecordingIsDropped() {
        CallRecorder recorder = new CallRecorder(Duration.ofSeconds(1));
        recorder.add(7_990, new byte[160]);
        recorder.add(9_000, new byte[160]);
        assertThat(recorder.duration()).isEqualTo(Duration.ofSeconds(1));
    }
}
