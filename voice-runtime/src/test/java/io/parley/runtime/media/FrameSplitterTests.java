package io.parley.runtime.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameSplitterTests {

    /** Copies every frame, as a sink that keeps frames must. */
    private final List<byte[]> frames = new ArrayList<>();
    private final FrameSplitter splitter = new FrameSplitter(
            (bytes, offset, length) -> frames.add(Arrays.copyOfRange(bytes, offset, offset + length)));

    private static byte[] ramp(int length, int start) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }

    @Test
    void holdsBackAPartialFrameUntilTheRestArrives() {
        byte[] stream = ramp(200, 0);
        splitter.accept(stream, 0, 100);
        assertThat(frames).isEmpty();
        assertThat(splitter.pending()).isEqualTo(100);

        splitter.accept(stream, 100, 100);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).isEqualTo(Arrays.copyOf(stream, 160));
        assertThat(splitter.pending()).isEqualTo(40);
    }

    @Test
    void largeChunksYieldWholeFramesAndKeepTheRemainder() {
        byte[] stream = ramp(3 * 160 + 7, 5);
        splitter.accept(stream);
        assertThat(frames).hasSize(3);
        for (int f = 0; f < 3; f++) {
            assertThat(frames.get(f)).isEqualTo(Arrays.copyOfRange(stream, f * 160, (f + 1) * 160));
        }
        assertThat(splitter.pending()).isEqualTo(7);
    }

    @Test
    void anyChunkingGivesTheSameFrames() {
        Random random = new Random(11);
        byte[] stream = new byte[50_000];
        random.nextBytes(stream);
        for (int at = 0; at < stream.length; ) {
            int len = Math.min(stream.length - at, random.nextBoolean() ? random.nextInt(5) : random.nextInt(700));
            splitter.accept(stream, at, len);
            at += len;
        }
        int whole = stream.length / Frames.FRAME_BYTES;
        assertThat(frames).hasSize(whole);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        frames.forEach(frame -> {
            assertThat(frame).hasSize(Frames.FRAME_BYTES);
            joined.writeBytes(frame);
        });
        assertThat(joined.toByteArray()).isEqualTo(Arrays.copyOf(stream, whole * Frames.FRAME_BYTES));
        assertThat(splitter.pending()).isEqualTo(stream.length % Frames.FRAME_BYTES);
    }

    @Test
    void flushWithPaddingFillsTheLastFrameWithSilence() {
        byte[] stream = ramp(200, 1);
        splitter.accept(stream);
        assertThat(splitter.flush(true)).isEqualTo(40);

        assertThat(frames).hasSize(2);
        byte[] last = frames.get(1);
        assertThat(last).hasSize(160);
        assertThat(Arrays.copyOf(last, 40)).isEqualTo(Arrays.copyOfRange(stream, 160, 200));
        byte[] padding = new byte[120];
        Arrays.fill(padding, (byte) 0xFF);
        assertThat(Arrays.copyOfRange(last, 40, 160)).isEqualTo(padding);
        assertThat(splitter.pending()).isZero();
    }

    @Test
    void flushWithoutPaddingSendsAShortFrame() {
        byte[] stream = ramp(45, 9);
        splitter.accept(stream);
        assertThat(splitter.flush(false)).isEqualTo(45);
        assertThat(frames).containsExactly(stream);
        assertThat(splitter.pending()).isZero();
    }

    @Test
    void flushWithNothingHeldBackSendsNothing() {
        splitter.accept(ramp(320, 0));
        assertThat(splitter.flush(true)).isZero();
        assertThat(splitter.flush(false)).isZero();
        assertThat(frames).hasSize(2);
    }

    @Test
    void paddingDoesNotLeakIntoTheNextFrame() {
        splitter.accept(ramp(10, 0));
        splitter.flush(true);
        byte[] next = ramp(160, 50);
        splitter.accept(next);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(1)).isEqualTo(next);
    }

    @Test
    void clearDropsTheRemainder() {
        splitter.accept(ramp(100, 0));
        splitter.clear();
        assertThat(splitter.pending()).isZero();
        assertThat(splitter.flush(true)).isZero();
        byte[] next = ramp(160, 70);
        splitter.accept(next);
        assertThat(frames).containsExactly(next);
    }

    @Test
    void rejectsARangeOutsideTheChunk() {
        assertThatThrownBy(() -> splitter.accept(new byte[10], 4, 7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new FrameSplitter(null)).isInstanceOf(NullPointerException.class);
    }
}
