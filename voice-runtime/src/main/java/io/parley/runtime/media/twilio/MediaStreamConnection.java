package io.parley.runtime.media.twilio;

import io.parley.runtime.session.CallToken;
import io.parley.runtime.session.CallTokens;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ConcurrentLinkedQueue<String> writes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingWrites = new AtomicInteger();
    /** An asynchronous send is in flight: the next one starts from its completion. */
    private final AtomicBoolean sending = new AtomicBoolean();
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
                    case TwilioMessage.Mark mark -> {
                        if (!playout.swallowEcho(mark.name())) handler.mark(mark.name());
                    }
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
                flushTwilio();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pause() {
        lock.lock();
        try {
            if (state == State.STREAMING && playout.pause(scheduler.now())) {
                flushTwilio(); // the playout took back the frames dropped here: they go again on resume
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the media not yet handed to the socket and sends {@code clear}, so no frame sent before it plays. */
    private void flushTwilio() {
        int before = writes.size();
        writes.removeIf(w -> w.startsWith("{\"event\":\"media\""));
        pendingWrites.addAndGet(writes.size() - before);
        write(TwilioCodec.clear(streamSid));
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            if (state == State.STREAMING) {
                playout.resume();
                playout.pump(scheduler.now(), sink());
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

    /**
     * Queues a message for the socket and starts sending if nothing is in flight. Sends are asynchronous
     * and chained: each completion starts the next, so no thread waits on a socket and the playout tick
     * that produced a frame is the thread that hands it to the container (paced sends are not delayed
     * behind call work, as they would be on a writer thread sharing carriers with it).
     */
    private void write(String message) {
        if (pendingWrites.incrementAndGet() > MAX_PENDING_WRITES) {
            pendingWrites.decrementAndGet();
            metrics.droppedOutbound();
            metrics.closedForCause("slow_consumer");
            close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "not reading");
            return;
        }
        writes.add(message);
        sendNext();
    }

    /**
     * Starts the next send if none is in flight. A send the container completes before
     * {@code sendText} returns is followed in this loop rather than from its callback, so a burst
     * never recurses.
     */
    private void sendNext() {
        while (sending.compareAndSet(false, true)) {
            String message = writes.poll();
            if (message == null) {
                sending.set(false);
                if (writes.isEmpty()) return;
                continue; // queued between the poll and the reset
            }
            pendingWrites.decrementAndGet();
            if (!socket.isOpen()) {
                writes.clear();
                pendingWrites.set(0);
                sending.set(false);
                return;
            }
            // 0: in sendText, 1: sendText returned first, 2: completed before sendText returned
            AtomicInteger phase = new AtomicInteger();
            try {
                socket.getAsyncRemote().sendText(message, result -> {
                    if (!result.isOK()) log.debug("Media socket write failed: {}", String.valueOf(result.getException()));
                    if (!phase.compareAndSet(0, 2)) {
                        sending.set(false);
                        sendNext();
                    }
                });
            } catch (RuntimeException e) {
                log.debug("Media socket write failed: {}", e.toString());
                sending.set(false);
                return;
            }
            if (phase.compareAndSet(0, 1)) return; // the callback carries on
            sending.set(false);
        }
    }

    private boolean writesDrained() {
        return writes.isEmpty() && !sending.get();
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
                while (!writesDrained() && System.nanoTime() < deadline && socket.isOpen()) {
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
