package io.parley.runtime.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The provider latencies the fakes inject: none at all, or drawn from published figures (STT final
 * p50 250 ms, LLM first token p50 300 ms, TTS first byte p50 100 ms) with lognormal tails
 * (sigma 0.4: p99 about 2.5 times p50, capped at 5 times p50).
 */
final class Latencies {

    enum Mode { ZERO, PUBLISHED }

    static final double SIGMA = 0.4;
    static final long STT_FINAL_P50_MS = 250;
    /** Not from the brief's figures: interim results usually come faster than finals; an assumption. */
    static final long STT_INTERIM_P50_MS = 150;
    static final long LLM_FIRST_TOKEN_P50_MS = 300;
    /** About 65 tokens a second once the model streams. */
    static final long LLM_INTER_TOKEN_MS = 15;
    static final long TTS_FIRST_BYTE_P50_MS = 100;
    /** Streaming TTS delivers the rest of a sentence about four times faster than real time. */
    static final int TTS_SPEED_UP = 4;

    volatile Mode mode = Mode.ZERO;

    long sttFinalNanos() {
        return draw(STT_FINAL_P50_MS);
    }

    long sttInterimNanos() {
        return draw(STT_INTERIM_P50_MS);
    }

    long llmFirstTokenNanos() {
        return draw(LLM_FIRST_TOKEN_P50_MS);
    }

    long llmInterTokenNanos() {
        return mode == Mode.ZERO ? 0 : LLM_INTER_TOKEN_MS * 1_000_000;
    }

    long ttsFirstByteNanos() {
        return draw(TTS_FIRST_BYTE_P50_MS);
    }

    /** How long after one chunk of {@code audioMillis} the next arrives. */
    long ttsChunkGapNanos(long audioMillis) {
        return mode == Mode.ZERO ? 0 : audioMillis * 1_000_000 / TTS_SPEED_UP;
    }

    private long draw(long p50Millis) {
        if (mode == Mode.ZERO) return 0;
        double factor = Math.min(5.0, Math.exp(SIGMA * ThreadLocalRandom.current().nextGaussian()));
        return (long) (p50Millis * 1_000_000 * factor);
    }
}
