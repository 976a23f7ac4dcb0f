package io.parley.runtime.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FramesTests {

    @Test
    void aFrameIs20MillisecondsOf8kHzMulaw() {
        assertThat(Frames.FRAME_MILLIS).isEqualTo(20);
        assertThat(Frames.FRAME_BYTES).isEqualTo(160);
        assertThat(Frames.samplesPerFrame(8_000)).isEqualTo(Frames.FRAME_BYTES);
    }

    @Test
    void samplesPerFrameAtTheOtherRates() {
        assertThat(Frames.samplesPerFrame(16_000)).isEqualTo(320);
        assertThat(Frames.samplesPerFrame(48_000)).isEqualTo(960);
        assertThatThrownBy(() -> Frames.samplesPerFrame(44_110)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.samplesPerFrame(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void millisOfCountsPlayingTime() {
        assertThat(Frames.millisOf(160)).isEqualTo(20);
        assertThat(Frames.millisOf(8_000)).isEqualTo(1_000);
        assertThat(Frames.millisOf(159)).isEqualTo(19);
        assertThat(Frames.millisOf(0)).isZero();
    }
}
