package io.parley.runtime.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VoiceActivityDetectorTests {

    private static final VoiceActivityDetector.Settings DEFAULTS = VoiceActivityDetector.Settings.DEFAULTS;

    /** A change as the listener reported it, placed on the audio's own time line (ms from the start). */
    record Change(boolean started, long atMillis, long decidedAtMillis) {}

    /** Builds 8 kHz μ-law audio: noise at a level, with "speech" (a vowel-like harmonic tone, syllable-modulated) over it. */
    static final class Line {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Random random = new Random(42);
        private long sample;

        Line noise(double dbfs, long millis) { return add(dbfs, Double.NEGATIVE_INFINITY, millis); }

        Line speech(double speechDbfs, double noiseDbfs, long millis) { return add(noiseDbfs, speechDbfs, millis); }

        Line digitalSilence(long millis) {
            for (long i = 0; i < millis * 8; i++, sample++) out.write(Mulaw.silence());
            return this;
        }

        private Line add(double noiseDbfs, double speechDbfs, long millis) {
            double noiseRms = 32768 * Math.pow(10, noiseDbfs / 20);
            // three harmonics of 140 Hz at equal amplitude: RMS of the sum = a·√(3/2)
            double a = 32768 * Math.pow(10, speechDbfs / 20) / Math.sqrt(1.5);
            for (long i = 0; i < millis * 8; i++, sample++) {
                double t = sample / 8000.0;
                double syllable = 0.75 + 0.25 * Math.sin(2 * Math.PI * 4 * t);
                double v = noiseRms * random.nextGaussian();
                if (speechDbfs > -200) {
                    v += a * syllable * (Math.sin(2 * Math.PI * 140 * t) + Math.sin(2 * Math.PI * 280 * t) + Math.sin(2 * Math.PI * 420 * t));
                }
                out.write(Mulaw.encode((short) Math.max(-32768, Math.min(32767, Math.round(v)))));
            }
            return this;
        }

        byte[] bytes() { return out.toByteArray(); }
    }

    /**
     * Feeds {@code audio} in chunks of {@code chunk} bytes, each cut at frame boundaries, so that a
     * change reported during one {@code accept} belongs to the frame ending where that piece ends.
     */
    private static List<Change> run(VoiceActivityDetector.Settings settings, byte[] audio, int chunk) {
        List<Change> changes = new ArrayList<>();
        long[] pieceEnd = {0};
        VoiceActivityDetector vad = new VoiceActivityDetector(settings, new VoiceActivityDetector.Listener() {
            @Override public void started(long millisAgo) { changes.add(new Change(true, now() - millisAgo, now())); }
            @Override public void stopped(long millisAgo) { changes.add(new Change(false, now() - millisAgo, now())); }
            private long now() { return Frames.millisOf(pieceEnd[0]); }
        });
        long fed = 0;
        for (int off = 0; off < audio.length; off += chunk) {
            int chunkEnd = Math.min(off + chunk, audio.length);
            for (int pos = off; pos < chunkEnd; ) {
                int toBoundary = Frames.FRAME_BYTES - (int) (fed % Frames.FRAME_BYTES);
                int n = Math.min(chunkEnd - pos, toBoundary);
                pieceEnd[0] = fed + n;
                vad.accept(audio, pos, n);
                fed += n;
                pos += n;
            }
        }
        return changes;
    }

    @Test
    void speechOnAQuietLineIsReportedAtItsTrueStartAndEnd() {
        byte[] audio = new Line().noise(-65, 1000).speech(-22, -65, 1200).noise(-65, 1000).bytes();

        List<Change> changes = run(DEFAULTS, audio, Frames.FRAME_BYTES);

        assertThat(changes).hasSize(2);
        Change start = changes.get(0), stop = changes.get(1);
        assertThat(start.started()).isTrue();
        assertThat(start.atMillis()).isBetween(1000L, 1040L);
        assertThat(start.decidedAtMillis() - 1000).as("onset decision delay").isLessThanOrEqualTo(60);
        assertThat(stop.started()).isFalse();
        assertThat(stop.atMillis()).isBetween(2180L, 2220L);
        assertThat(stop.decidedAtMillis() - 2200).as("hangover").isLessThanOrEqualTo(260);
    }

    @Test
    void speechOverANoisyLineIsStillFound() {
        byte[] audio = new Line().noise(-40, 2000).speech(-18, -40, 800).noise(-40, 1000).bytes();

        List<Change> changes = run(DEFAULTS, audio, Frames.FRAME_BYTES);

        assertThat(changes).extracting(Change::started).containsExactly(true, false);
        assertThat(changes.get(0).atMillis()).isBetween(2000L, 2060L);
        assertThat(changes.get(1).atMillis()).isBetween(2760L, 2820L);
    }

    @Test
    void shortGapsBetweenWordsDoNotEndTheVoice() {
        Line line = new Line().noise(-65, 500);
        for (int word = 0; word < 5; word++) line.speech(-22, -65, 300).noise(-65, 120);
        List<Change> changes = run(DEFAULTS, line.noise(-65, 600).bytes(), Frames.FRAME_BYTES);

        assertThat(changes).extracting(Change::started).containsExactly(true, false);
    }

    @Test
    void silenceSteadyNoiseAndClicksAreNotVoice() {
        assertThat(run(DEFAULTS, new Line().digitalSilence(3000).bytes(), 160)).isEmpty();
        assertThat(run(DEFAULTS, new Line().noise(-30, 8000).bytes(), 160)).as("loud steady noise from the start").isEmpty();
        byte[] click = new Line().noise(-65, 1000).speech(-10, -65, 20).noise(-65, 1000).bytes();
        assertThat(run(DEFAULTS, click, 160)).as("a 20 ms pop").isEmpty();
        assertThat(run(DEFAULTS, new Line().noise(-65, 500).speech(-55, -65, 1000).noise(-65, 500).bytes(), 160))
                .as("sound quieter than the speech minimum").isEmpty();
    }

    @Test
    void aNoiseThatStartsAndStaysIsNoLongerVoiceOnceTheFloorWindowHasSeenIt() {
        byte[] audio = new Line().noise(-65, 2000).noise(-28, 12_000).bytes();

        List<Change> changes = run(DEFAULTS, audio, Frames.FRAME_BYTES);

        // the step itself looks like someone starting to talk; within one floor window it is the floor
        assertThat(changes).extracting(Change::started).containsExactly(true, false);
        assertThat(changes.get(1).decidedAtMillis()).isLessThanOrEqualTo(2000 + 5000 + 300);
    }

    @Test
    void chunkingDoesNotChangeTheDecisions() {
        byte[] audio = new Line().noise(-60, 700).speech(-25, -60, 900).noise(-60, 400).speech(-20, -60, 500).noise(-60, 800).bytes();

        List<Change> framed = run(DEFAULTS, audio, 160);
        List<Change> odd = run(DEFAULTS, audio, 37);
        List<Change> large = run(DEFAULTS, audio, 4000);

        assertThat(framed).extracting(Change::started).containsExactly(true, false, true, false);
        assertThat(odd).isEqualTo(framed);
        assertThat(large).isEqualTo(framed);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new VoiceActivityDetector.Settings(6, 12, -45, Duration.ofMillis(40), Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VoiceActivityDetector.Settings(12, 6, -45, Duration.ofMillis(-1), Duration.ofMillis(200), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VoiceActivityDetector.Settings(12, 6, -45, Duration.ofMillis(40), Duration.ofMillis(200), Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
