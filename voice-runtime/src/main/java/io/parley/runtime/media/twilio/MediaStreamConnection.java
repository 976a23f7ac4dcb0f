package io.parley.runtime.media.twilio;

import io.parley.runtime.session.CallToken;
import io.parley.runtime.session.CallTokens;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Media Streams socket: checks the protocol and the call token, hands caller audio to the
 * call's {@link CallHandler} and paces the call's audio back. Bad frames are counted and ignored;
 * too many of them, a missing or forged token, or a socket that stops reading closes this socket
 * cleanly, and nothing here can reach another call.
 */
final class MediaStreamConnection implements Outbound {

    /** Refused frames a stream may send before it is closed. */
    static final int MAX_ERRORS = 50;
    /** Outbound messages a socket may fall behind by before it is closed. */
    static final int MAX_PENDING_WRITES = 512;
    /** How long a stream may take from open to a valid {@code start}. */
    static final long START_TIMEOUT_MILLIS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(MediaStreamConnection.class);

    private enum State { AWAITING_START, STREAMING, ENDED }

    private final Session socket;
    private final CallTokens tokens;
    private final CallHandler handler;
    private final MediaStreamMetrics metrics;
    private final PlayoutScheduler scheduler;
    private final Playout playout;
    private final ReentrantLock lock = new ReentrantLock();
    private final BlockingQueue<String> writes = new ArrayBlockingQueue<>(MAX_PENDING_WRITES);
    private final long openedNanos;

    private State state = State.AWAITING_START;
    private String streamSid;
    private long lastChunk;
    private int errors;

    MediaStreamConnection(Session socket, CallTokens tokens, CallHandler handler, MediaStreamMetrics metrics,
                          PlayoutScheduler scheduler, int leadMillis) {
        this.socket = socket;
        this.tokens = tokens;
        this.handler = handler;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.playout = new Playout(leadMillis);
        this.openedNanos = scheduler.now();
        Thread.ofVirtual().name("media-writer").start(this::writeLoop);
        scheduler.register(this);
    }

    /** One text frame from Twilio. */
    void onText(String frame) {
        TwilioMessage message;
        try {
            message = TwilioCodec.read(frame);
        } catch (TwilioProtocolException e) {
            refuse(e.reason().name().toLowerCase(java.util.Locale.ROOT));
            return;
        }
        lock.lock();
        try {
            handle(message);
        } finally {
            lock.unlock();
        }
    }

    /** Twilio sends only text frames. */
    void onBinary() {
        refuse("binary");
    }

    private void handle(TwilioMessage message) {
        switch (state) {
            case ENDED -> refuse("after_stop");
            case AWAITING_START -> {
                switch (message) {
                    case TwilioMessage.Connected c -> { }
                    case TwilioMessage.Start start -> start(start);
                    default -> refuse("before_start");
                }
            }
            case STREAMING -> {
                if (message instanceof TwilioMessage.Connected || message instanceof TwilioMessage.Start) {
                    refuse("repeated_start");
                    return;
                }
                if (!streamSid.equals(streamSidOf(message))) {
                    refuse("wrong_stream");
                    return;
                }
                switch (message) {
                    case TwilioMessage.Media media -> media(media);
                    case TwilioMessage.Dtmf dtmf -> handler.dtmf(dtmf.digit());
                    case TwilioMessage.Mark mark -> handler.mark(mark.name());
                    case TwilioMessage.Stop stop -> end("stop", null);
                    default -> refuse("unexpected");
                }
            }
        }
    }

    private void start(TwilioMessage.Start start) {
        Optional<CallToken> token = tokens.verify(start.customParameters().get("token"));
        if (token.isEmpty()) {
            metrics.closedForCause("invalid_token");
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "invalid call token");
            return;
        }
        if (!"audio/x-mulaw".equals(start.encoding()) || start.sampleRate() != 8000 || start.channels() != 1) {
            metrics.closedForCause("unsupported_format");
            close(CloseReason.CloseCodes.CANNOT_ACCEPT, "only audio/x-mulaw 8000 Hz mono");
            return;
        }
        streamSid = start.streamSid();
        state = State.STREAMING;
        metrics.callStarted();
        handler.started(token.get(), start, this);
    }

    private void media(TwilioMessage.Media media) {
        if (media.chunk() <= lastChunk) {
            refuse("duplicate_chunk");
            return;
        }
        lastChunk = media.chunk();
        handler.audio(media.payload(), media.timestampMillis());
    }

    private void refuse(String reason) {
        metrics.rejected(reason);
        if (++errors > MAX_ERRORS) {
            metrics.closedForCause("too_many_errors");
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "too many malformed messages");
        }
    }

    // --- outbound -----------------------------------------------------------------------------

    @Override
    public void play(byte[] ulaw, String markAfter) {
        lock.lock();
        try {
            if (state == State.STREAMING) {
                playout.enqueue(ulaw, markAfter);
                playout.pump(scheduler.now(), sink());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            if (state == State.STREAMING) {
                playout.clear();
                // nothing queued for the socket may follow the clear either
                writes.removeIf(w -> w.startsWith("{\"event\":\"media\""));
                write(TwilioCodec.clear(streamSid));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void hangUp(String reason) {
        lock.lock();
        try {
            end(reason, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long queuedMillis() {
        lock.lock();
        try {
            return playout.queuedMillis();
        } finally {
            lock.unlock();
        }
    }

    /** Called by the scheduler: sends what is due; closes a stream that never started. */
    void pump(long nowNanos) {
        if (!lock.tryLock()) {
            return; // busy with a message: the next tick catches up
        }
        try {
            if (state == State.STREAMING && !playout.idle()) {
                playout.pump(nowNanos, sink());
            } else if (state == State.AWAITING_START && (nowNanos - openedNanos) / 1_000_000 > START_TIMEOUT_MILLIS) {
                metrics.closedForCause("no_start");
                close(CloseReason.CloseCodes.VIOLATED_POLICY, "no start message");
            }
        } finally {
            lock.unlock();
        }
    }

    private Playout.Sink sink() {
        return new Playout.Sink() {
            @Override
            public void media(byte[] ulaw, int offset, int length) {
                write(TwilioCodec.media(streamSid, ulaw, offset, length));
            }

            @Override
            public void mark(String name) {
                write(TwilioCodec.mark(streamSid, name));
            }
        };
    }

    private void write(String message) {
        if (!writes.offer(message)) {
            metrics.droppedOutbound();
            metrics.closedForCause("slow_consumer");
            close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "not reading");
        }
    }

    private void writeLoop() {
        try {
            while (socket.isOpen() || !writes.isEmpty()) {
                String message = writes.poll(1, TimeUnit.SECONDS);
                if (message != null && socket.isOpen()) {
                    socket.getBasicRemote().sendText(message);
                }
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("Media socket write failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- lifecycle ----------------------------------------------------------------------------

    /** The socket closed or failed (from the container). */
    void onClose(String reason) {
        lock.lock();
        try {
            end(reason, null);
        } finally {
            lock.unlock();
        }
    }

    void fail(String reason) {
        lock.lock();
        try {
            end(reason, CloseReason.CloseCodes.UNEXPECTED_CONDITION);
        } finally {
            lock.unlock();
        }
    }

    private void end(String reason, CloseReason.CloseCode code) {
        if (state == State.ENDED) {
            return;
        }
        boolean started = state == State.STREAMING;
        state = State.ENDED;
        scheduler.unregister(this);
        playout.clear();
        if (started) {
            metrics.callEnded();
            try {
                handler.ended(reason);
            } catch (RuntimeException e) {
                log.warn("Call handler failed while ending: {}", e.toString());
            }
        }
        closeSocket(code == null ? CloseReason.CloseCodes.NORMAL_CLOSURE : code, reason);
    }

    private void close(CloseReason.CloseCode code, String reason) {
        end(reason, code);
    }

    private void closeSocket(CloseReason.CloseCode code, String reason) {
        // let the writer drain what was queued (a goodbye's last frames) before the close frame
        Thread.ofVirtual().start(() -> {
            try {
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (!writes.isEmpty() && System.nanoTime() < deadline && socket.isOpen()) {
                    Thread.sleep(5);
                }
                if (socket.isOpen()) {
                    socket.close(new CloseReason(code, reason.length() > 120 ? reason.substring(0, 120) : reason));
                }
            } catch (IOException | InterruptedException e) {
                log.debug("Media socket close failed: {}", e.toString());
            }
        });
    }

    private static String streamSidOf(TwilioMessage message) {
        return switch (message) {
            case TwilioMessage.Media m -> m.streamSid();
            case TwilioMessage.Dtmf d -> d.streamSid();
            case TwilioMessage.Mark m -> m.streamSid();
            case TwilioMessage.Stop s -> s.streamSid();
            case TwilioMessage.Start s -> s.streamSid();
            case TwilioMessage.Connected c -> null;
        };
    }
}
