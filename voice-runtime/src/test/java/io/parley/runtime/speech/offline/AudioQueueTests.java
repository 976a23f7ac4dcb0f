package io.parley.runtime.speech.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AudioQueueTests {

    private static short[] samples(int from, int count) {
        short[] s = new short[count];
        for (int i = 0; i < count; i++) {
            s[i] = (short) (from + i);
        }
        return s;
    }

    @Test
    void handsOverCopiesInOrder() throws Exception {
        AudioQueue queue = new AudioQueue(100);
        short[] pcm = samples(0, 10);
        queue.offer(pcm, 2, 3);
        pcm[2] = 99; // the caller may reuse its buffer at once

        assertThat(queue.poll(0, TimeUnit.SECONDS)).containsExactly(2, 3, 4);
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void whenFullTheOldestAudioIsDroppedAndCounted() throws Exception {
        AudioQueue queue = new AudioQueue(10);

        assertThat(queue.offer(samples(0, 4), 0, 4)).isZero();
        assertThat(queue.offer(samples(4, 4), 0, 4)).isZero();
        assertThat(queue.offer(samples(8, 4), 0, 4)).as("the first chunk makes room").isEqualTo(4);

        assertThat(queue.dropped()).isEqualTo(4);
        assertThat(queue.queued()).isEqualTo(8);
        assertThat(queue.poll(0, TimeUnit.SECONDS)).startsWith((short) 4);
        assertThat(queue.poll(0, TimeUnit.SECONDS)).startsWith((short) 8);
    }

    @Test
    void aChunkLargerThanTheQueueKeepsItsNewestSamples() throws Exception {
        AudioQueue queue = new AudioQueue(4);
        queue.offer(samples(100, 2), 0, 2);

        assertThat(queue.offer(samples(0, 10), 0, 10)).isEqualTo(6 + 2);
        assertThat(queue.poll(0, TimeUnit.SECONDS)).containsExactly(6, 7, 8, 9);
        assertThat(queue.dropped()).isEqualTo(8);
    }

    @Test
    void closingWakesTheConsumerAndRefusesMoreAudio() throws Exception {
        AudioQueue queue = new AudioQueue(100);
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.close();
        });
        long started = System.nanoTime();

        assertThat(queue.poll(10, TimeUnit.SECONDS)).isNull();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
        closer.join();
        assertThat(queue.offer(samples(0, 5), 0, 5)).isZero();
        assertThat(queue.queued()).isZero();
    }
}
