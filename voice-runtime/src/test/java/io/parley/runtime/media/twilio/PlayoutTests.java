package io.parley.runtime.media.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlayoutTests {

    private final List<String> sent = new ArrayList<>();
    private final Playout.Sink sink = new Playout.Sink() {
        @Override public void media(byte[] ulaw, int offset, int length) { sent.add("media:" + length); }
        @Override public void mark(String name) { sent.add("mark:" + name); }
    };

    private static long ms(long millis) {
        return millis * 1_000_000;
    }

    @Test
    void sendsNoMoreThanTheLeadAheadOfRealTime() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 50], "end"); // one second
        playout.pump(ms(0), sink);
        assertThat(sent).hasSize(4); // 80 ms lead: 4 frames
        playout.pump(ms(10), sink);
        assertThat(sent).as("10 ms heard, 70 in flight: one more").hasSize(5);
        playout.pump(ms(20), sink);
        assertThat(sent).as("20 ms heard, 80 in flight").hasSize(5);
        for (long t = 25; t <= 500; t += 5) {
            playout.pump(ms(t), sink); // the scheduler's ticks
        }
        assertThat(sent).as("at 500 ms, 580 ms sent").hasSize(29);
        for (long t = 505; t <= 925; t += 5) {
            playout.pump(ms(t), sink);
        }
        // the last frame leaves at 920 ms, and the mark right behind it
        assertThat(sent).hasSize(51).last().isEqualTo("mark:end");
        assertThat(playout.queuedMillis()).isZero();
    }

    @Test
    void aMarkFollowsTheLastFrameQueuedBeforeIt() {
        Playout playout = new Playout(1000);
        playout.enqueue(new byte[320], "first");
        playout.enqueue(new byte[170], "second");
        playout.pump(0, sink);
        assertThat(sent).containsExactly("media:160", "media:160", "mark:first", "media:160", "media:10", "mark:second");
    }

    @Test
    void clearDropsEverythingQueuedAndStartsAFreshBurst() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 50], "end");
        playout.pump(ms(0), sink);
        playout.clear();
        assertThat(playout.queuedMillis()).isZero();
        sent.clear();
        playout.pump(ms(500), sink);
        assertThat(sent).isEmpty();
        playout.enqueue(new byte[160 * 10], null);
        playout.pump(ms(500), sink);
        assertThat(sent).hasSize(4);
    }

    @Test
    void anUnderrunStartsANewBurstRatherThanBurstingToCatchUp() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 50], null);
        playout.pump(ms(0), sink);
        // no tick for half a second (a stalled timer): the caller heard silence; send a lead, not 25 frames
        playout.pump(ms(500), sink);
        assertThat(sent).hasSize(8);
    }

    @Test
    void afterSilenceTheNextUtteranceStartsItsOwnBurst() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 2], null);
        playout.pump(ms(0), sink);
        // long after the caller heard those 40 ms, new audio gets a full lead again
        playout.enqueue(new byte[160 * 10], null);
        playout.pump(ms(5000), sink);
        assertThat(sent).hasSize(2 + 4);
    }

    @Test
    void pauseTakesBackWhatCannotHaveBeenHeardAndResumeSendsItAgain() {
        List<String> frames = new ArrayList<>();
        Playout.Sink bySource = new Playout.Sink() {
            @Override public void media(byte[] ulaw, int offset, int length) { frames.add((ulaw.length == 480 ? "a" : "b") + offset / 160); }
            @Override public void mark(String name) { frames.add("mark:" + name); }
        };
        Playout playout = new Playout(80);
        playout.enqueue(new byte[480], "a");
        playout.enqueue(new byte[160 * 10], "b");
        playout.pump(ms(0), bySource);
        assertThat(frames).containsExactly("a0", "a1", "a2", "mark:a", "b0");

        // 30 ms in, the caller has heard a0 and part of a1: a1 onwards is taken back, mark a included
        assertThat(playout.pause(ms(30))).isTrue();
        assertThat(playout.queuedMillis()).isEqualTo(12 * 20);
        frames.clear();
        playout.pump(ms(40), bySource);
        playout.pump(ms(300), bySource);
        assertThat(frames).as("nothing while paused").isEmpty();
        assertThat(playout.idle()).isTrue();

        playout.resume();
        playout.pump(ms(400), bySource);
        assertThat(frames).containsExactly("a1", "a2", "mark:a", "b0", "b1");

        // Twilio echoes the flushed mark once on clear: that echo is swallowed, the next one is a hearing
        assertThat(playout.swallowEcho("a")).isTrue();
        assertThat(playout.swallowEcho("a")).isFalse();
        assertThat(playout.swallowEcho("b")).isFalse();
    }

    @Test
    void pauseWithNothingInFlightTakesNothingBackButStillHoldsNewAudio() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 2], "short");
        playout.pump(ms(0), sink);
        sent.clear();
        assertThat(playout.pause(ms(100))).as("all of it heard").isFalse();
        playout.enqueue(new byte[160 * 5], "next");
        playout.pump(ms(120), sink);
        assertThat(sent).isEmpty();
        playout.resume();
        playout.pump(ms(140), sink);
        assertThat(sent).hasSize(4);
    }

    @Test
    void clearAfterPauseDropsWhatWasHeld() {
        Playout playout = new Playout(80);
        playout.enqueue(new byte[160 * 10], "end");
        playout.pump(ms(0), sink);
        playout.pause(ms(10));
        playout.clear();
        sent.clear();
        playout.pump(ms(100), sink);
        assertThat(sent).isEmpty();
        assertThat(playout.queuedMillis()).isZero();
    }
}
