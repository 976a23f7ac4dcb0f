package io.parley.runtime.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** A thread-safe histogram of durations, 10 µs buckets up to 2 s (longer ones land in the last). */
final class Histogram {

    private static final long BUCKET_NANOS = 10_000;
    private static final int BUCKETS = 200_001;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder total = new LongAdder();
    private volatile long max;

    void record(long nanos) {
        long n = Math.max(0, nanos);
        counts.incrementAndGet((int) Math.min(BUCKETS - 1, n / BUCKET_NANOS));
        total.increment();
        if (n > max) max = n; // racy, close enough for a report
    }

    long count() {
        return total.sum();
    }

    /** The {@code p}-th percentile (0..100) in milliseconds, bucket upper bound; NaN when empty. */
    double percentileMillis(double p) {
        long n = count();
        if (n == 0) return Double.NaN;
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) return (i + 1) * BUCKET_NANOS / 1e6;
        }
        return max / 1e6;
    }

    double maxMillis() {
        return max / 1e6;
    }

    /** Exact percentiles of a few samples (nanoseconds in, milliseconds out); NaN when empty. */
    static double percentileMillis(long[] nanos, double p) {
        if (nanos.length == 0) return Double.NaN;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.max(1, Math.ceil(p / 100.0 * sorted.length));
        return sorted[Math.min(sorted.length, rank) - 1] / 1e6;
    }
}
