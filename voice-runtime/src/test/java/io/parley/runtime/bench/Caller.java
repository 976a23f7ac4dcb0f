package io.parley.runtime.bench;

import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One emulated Twilio call: sends {@code connected}, {@code start} and then 20 ms of caller audio
 * every 20 ms (silence, or a tone while the caller speaks, with ground-truth speech on/off times),
 * plays what the runtime sends through a real-time playout buffer, echoes each mark when that buffer
 * reaches it, and on {@code clear} drops the buffer and echoes the pending marks at once (as Twilio
 * does). Its script: wait for the greeting, then say each planned line when the bot has been quiet
 * for a moment; a story is interrupted 0.7–1 s into its answer.
 */
final class Caller implements WebSocket.Listener {

    static final long FRAME = 20_000_000;
    static final long QUIET = 400_000_000;
    static final int LEAD_FRAMES = 4;
    static final int WORD_FRAMES = 10; // 200 ms a word
    static final List<String> NORMAL = List.of(
            "I would like to book a table please",
            "Could you tell me your opening hours please",
            "Do you have any vegetarian dishes",
            "Can I bring my dog along please");
    static final String STORY = "Please tell me a long story about the sea";
    static final String BARGE = "Wait I have another question please";

    private static final String SPEECH = Base64.getEncoder().encodeToString(FakeVoice.TONE);
    private static final String SILENCE;

    static {
        byte[] silence = new byte[FakeVoice.FRAME_BYTES];
        java.util.Arrays.fill(silence, (byte) 0xFF);
        SILENCE = Base64.getEncoder().encodeToString(silence);
    }

    private enum Step { CONNECTING, AWAIT_GREETING, THINKING, SPEAKING, AWAIT_REPLY, HANGING_UP, DONE }

    final PhoneNetwork net;
    final Truth.Call truth;
    private final String token;
    private final List<Truth.Kind> plan;
    private final boolean loop;
    private final boolean greetingOnly;
    final String streamSid = "MZ" + UUID.randomUUID().toString().replace("-", "");
    private final String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");

    private volatile WebSocket ws;
    private CompletableFuture<WebSocket> tail;
    private long sequence;
    private long chunk;
    private final StringBuilder partial = new StringBuilder();

    volatile long startSent;
    volatile long greetingFirstFrame;
    volatile String failure;
    volatile boolean hangUpRequested;
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    // the clock thread's
    private volatile Step step = Step.CONNECTING;
    private long nextFrameAt;
    private int speechFramesLeft;
    private Truth.Turn speaking;
    private Truth.Turn awaiting;
    private boolean bargePending;
    private long bargeDelay;
    private long speakAt;
    private long hangUpAt;
    private int planIndex;
    private int said;

    // the receiving side's (guarded by this)
    private volatile long playheadEnd;
    private long burstStart;
    private long prevArrival;
    private int burstK = -1;
    private int lastSynth = -1;
    private int lastIndex = -1;
    private int clearBoundary = -1;
    private Truth.Turn clearedBy;
    private final ArrayDeque<String> pendingMarks = new ArrayDeque<>();

    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong underruns = new AtomicLong();
    final AtomicLong framesAfterClear = new AtomicLong();
    final AtomicLong clears = new AtomicLong();
    final AtomicLong unexpectedClears = new AtomicLong();
    final AtomicLong noReply = new AtomicLong();
    final AtomicLong sendBacklog = new AtomicLong();

    Caller(PhoneNetwork net, Truth.Call truth, String token, List<Truth.Kind> plan, boolean loop, boolean greetingOnly) {
        this.net = net;
        this.truth = truth;
        this.token = token;
        this.plan = plan;
        this.loop = loop;
        this.greetingOnly = greetingOnly;
    }

    /** Opens the socket and starts the stream (the time of {@code start} is {@link #startSent}). */
    CompletableFuture<Void> connect() {
        return net.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(net.uri, this)
                .thenCompose(w -> {
                    synchronized (this) {
                        ws = w;
                        tail = CompletableFuture.completedFuture(w);
                    }
                    return w.sendText("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}", true);
                })
                .thenAccept(w -> {
                    synchronized (this) {
                        tail = CompletableFuture.completedFuture(w);
                        startSent = System.nanoTime();
                        send("{\"event\":\"start\",\"sequenceNumber\":\"" + (++sequence) + "\",\"streamSid\":\"" + streamSid
                                + "\",\"start\":{\"accountSid\":\"AC00000000000000000000000000000000\",\"callSid\":\"" + callSid
                                + "\",\"streamSid\":\"" + streamSid + "\",\"tracks\":[\"inbound\"],\"customParameters\":{\"token\":\"" + token
                                + "\"},\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}}}");
                        nextFrameAt = startSent + FRAME;
                        step = Step.AWAIT_GREETING;
                    }
                    net.add(this);
                })
                .orTimeout(15, TimeUnit.SECONDS)
                .whenComplete((v, e) -> {
                    if (e != null) fail("connect: " + e);
                });
    }

    boolean finished() {
        return closed.isDone();
    }

    boolean started() {
        return greetingFirstFrame != 0;
    }

    // ---------------------------------------------------------------- the clock thread

    /** Sends the caller audio now due and moves the script on; answers when it next needs the clock. */
    long tick(long now) {
        Step current = step;
        if (current == Step.CONNECTING || current == Step.DONE || closed.isDone()) return Long.MAX_VALUE;
        if (current == Step.HANGING_UP) { // Twilio sends nothing after stop
            script(now);
            return now + 20_000_000;
        }
        PhoneNetwork.Window window = net.window;
        if (now - nextFrameAt > 1_000_000_000L) { // this emulator fell a second behind: skip rather than burst
            long skip = (now - nextFrameAt) / FRAME;
            nextFrameAt += skip * FRAME;
            if (window != null) window.skippedSends.add(skip);
        }
        while (nextFrameAt <= now) {
            if (window != null) window.senderLag.record(now - nextFrameAt);
            sendFrame(window);
            nextFrameAt += FRAME;
        }
        script(System.nanoTime());
        return nextFrameAt;
    }

    private void sendFrame(PhoneNetwork.Window window) {
        boolean speech = speechFramesLeft > 0;
        long at = System.nanoTime();
        if (speech && speaking.onsetSent == 0) speaking.onsetSent = at;
        synchronized (this) {
            if (!tail.isDone()) {
                sendBacklog.incrementAndGet();
                if (window != null) window.sendBacklog.increment();
            }
            chunk++;
            send("{\"event\":\"media\",\"sequenceNumber\":\"" + (++sequence) + "\",\"streamSid\":\"" + streamSid
                    + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + (chunk * 20)
                    + "\",\"payload\":\"" + (speech ? SPEECH : SILENCE) + "\"}}");
        }
        if (speech && --speechFramesLeft == 0) {
            speaking.endSent = at;
            awaiting = speaking;
            bargePending = speaking.kind == Truth.Kind.STORY_BARGE;
            speaking = null;
            step = Step.AWAIT_REPLY;
        }
    }

    private void script(long now) {
        if (hangUpRequested && step != Step.HANGING_UP && step != Step.DONE) {
            hangUp(now);
            return;
        }
        switch (step) {
            case AWAIT_GREETING -> {
                if (greetingFirstFrame != 0 && (greetingOnly || now - playheadEnd >= QUIET)) {
                    if (greetingOnly) hangUp(now);
                    else next(now);
                } else if (now - startSent > 20_000_000_000L) {
                    fail("no greeting within 20 s");
                    hangUp(now);
                }
            }
            case THINKING -> {
                if (now >= speakAt) say(plan.get(planIndex++ % plan.size()));
            }
            case AWAIT_REPLY -> {
                Truth.Turn turn = awaiting;
                if (turn.firstFrame != 0) {
                    if (bargePending) {
                        if (now >= turn.firstFrame + bargeDelay) {
                            bargePending = false;
                            say(Truth.Kind.BARGE);
                        }
                    } else if (now - playheadEnd >= QUIET && now - turn.firstFrame >= QUIET) {
                        next(now);
                    }
                } else if (now - turn.endSent > 15_000_000_000L) {
                    noReply.incrementAndGet();
                    next(now);
                }
            }
            case HANGING_UP -> {
                if (now - hangUpAt > 10_000_000_000L) abort();
            }
            default -> { }
        }
    }

    private void next(long now) {
        if (plan.isEmpty() || (!loop && planIndex >= plan.size())) {
            hangUp(now);
            return;
        }
        step = Step.THINKING;
        speakAt = now + ThreadLocalRandom.current().nextLong(200_000_000, 500_000_000);
    }

    private void say(Truth.Kind kind) {
        String text = switch (kind) {
            case NORMAL -> NORMAL.get(said % NORMAL.size());
            case STORY, STORY_BARGE -> STORY;
            case BARGE -> BARGE;
        };
        said++;
        String[] words = text.split(" ");
        Truth.Turn turn = truth.newTurn(kind, text);
        truth.saying.add(new Truth.Utterance(turn, words, words.length * WORD_FRAMES, WORD_FRAMES * FRAME));
        if (kind == Truth.Kind.STORY_BARGE) bargeDelay = 700_000_000 + ThreadLocalRandom.current().nextLong(300_000_000);
        speaking = turn;
        speechFramesLeft = words.length * WORD_FRAMES;
        step = Step.SPEAKING;
    }

    private void hangUp(long now) {
        step = Step.HANGING_UP;
        hangUpAt = now;
        synchronized (this) {
            send("{\"event\":\"stop\",\"sequenceNumber\":\"" + (++sequence) + "\",\"streamSid\":\"" + streamSid
                    + "\",\"stop\":{\"accountSid\":\"AC0\",\"callSid\":\"" + callSid + "\"}}");
        }
    }

    // ---------------------------------------------------------------- sending

    private synchronized void send(String text) {
        if (tail == null) return;
        if (tail.isCompletedExceptionally()) {
            if (step != Step.HANGING_UP && step != Step.DONE) fail("send failed");
            return;
        }
        tail = tail.thenCompose(w -> w.sendText(text, true));
    }

    private synchronized void sendMark(String name) {
        if (step == Step.HANGING_UP || step == Step.DONE) return; // Twilio sends nothing after stop
        send("{\"event\":\"mark\",\"sequenceNumber\":\"" + (++sequence) + "\",\"streamSid\":\"" + streamSid
                + "\",\"mark\":{\"name\":\"" + name + "\"}}");
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        if (!last) {
            partial.append(data);
            webSocket.request(1);
            return null;
        }
        String text;
        if (!partial.isEmpty()) {
            partial.append(data);
            text = partial.toString();
            partial.setLength(0);
        } else {
            text = data.toString();
        }
        try {
            if (text.startsWith("{\"event\":\"media\"")) {
                int p = text.indexOf("\"payload\":\"") + 11;
                byte[] head = Base64.getDecoder().decode(text.substring(p, p + 12).getBytes(StandardCharsets.ISO_8859_1));
                boolean tagged = head[6] == FakeVoice.MAGIC_1 && head[7] == FakeVoice.MAGIC_2;
                int synth = tagged ? ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF) : 0;
                int index = tagged ? ((head[4] & 0xFF) << 8) | (head[5] & 0xFF) : 0;
                media(now, synth, index);
            } else if (text.startsWith("{\"event\":\"mark\"")) {
                int p = text.indexOf("\"name\":\"") + 8;
                mark(now, text.substring(p, text.indexOf('"', p)));
            } else if (text.startsWith("{\"event\":\"clear\"")) {
                clear(now);
            }
        } catch (RuntimeException e) {
            fail("receive: " + e);
        }
        webSocket.request(1);
        return null;
    }

    private synchronized void media(long now, int synth, int index) {
        framesReceived.incrementAndGet();
        PhoneNetwork.Window window = net.window;
        if (window != null) window.frames.increment();
        if (greetingFirstFrame == 0) greetingFirstFrame = now;
        if (synth != lastSynth) {
            Truth.Turn owner = truth.replyOwning(synth);
            if (owner != null && owner.firstFrame == 0) owner.firstFrame = now;
        }
        if (clearBoundary >= 0 && synth <= clearBoundary) {
            framesAfterClear.incrementAndGet();
            if (clearedBy != null) clearedBy.framesAfterClear++;
        }
        if (now > playheadEnd) { // the buffer ran dry: a new burst, or a gap inside a sentence
            if (burstK >= 0 && synth == lastSynth && index == lastIndex + 1) {
                underruns.incrementAndGet();
                if (window != null) window.underruns.increment();
            }
            burstK = 0;
            burstStart = now;
            playheadEnd = now + FRAME;
        } else {
            burstK++;
            playheadEnd += FRAME;
            if (window != null) {
                if (burstK > LEAD_FRAMES) window.jitter.record(Math.abs(now - prevArrival - FRAME));
                if (burstK >= LEAD_FRAMES) window.lateness.record(now - (burstStart + (burstK - LEAD_FRAMES) * FRAME));
            }
        }
        lastSynth = synth;
        lastIndex = index;
        prevArrival = now;
    }

    private synchronized void mark(long now, String name) {
        long due = playheadEnd;
        if (due <= now) {
            sendMark(name);
        } else {
            pendingMarks.add(name);
            net.markTimer.schedule(() -> {
                synchronized (this) {
                    if (pendingMarks.remove(name)) sendMark(name);
                }
            }, due - now, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void clear(long now) {
        clears.incrementAndGet();
        Truth.Turn turn = truth.last();
        if (turn != null && turn.kind == Truth.Kind.BARGE && turn.clearAt == 0) {
            turn.clearAt = now;
        } else {
            unexpectedClears.incrementAndGet();
        }
        clearedBy = turn;
        clearBoundary = truth.lastSynthId;
        playheadEnd = now;
        burstK = -1;
        while (!pendingMarks.isEmpty()) sendMark(pendingMarks.poll());
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        done(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (step != Step.HANGING_UP) fail("socket error: " + error);
        done(-1);
    }

    private void done(int code) {
        step = Step.DONE;
        net.remove(this);
        closed.complete(code);
    }

    void fail(String why) {
        if (failure == null) failure = why;
    }

    /** Drops the socket without a close handshake (cleaning up after a bounded wait). */
    void abort() {
        WebSocket w = ws;
        if (w != null) w.abort();
        done(-2);
    }
}
