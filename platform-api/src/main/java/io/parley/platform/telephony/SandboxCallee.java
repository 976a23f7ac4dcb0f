package io.parley.platform.telephony;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's answering callee on the line: it joins the voice runtime exactly as Twilio does for an answered
 * call ({@code connected}, {@code start} with the call token in {@code customParameters}, then 20 ms μ-law
 * {@code media} frames, marks echoed as played, {@code stop} when it hangs up), listens to the persona, and each
 * time the persona has spoken and fallen silent it says its next scripted line ({@link #LINES}). It hangs up when
 * the runtime ends the call, or after {@code talk} at the latest.
 */
final class SandboxCallee implements WebSocket.Listener {

    /** What the sandbox's answering callee says, one line per pause of the persona, unless a test call says otherwise. */
    static final List<String> LINES = List.of("It has been a wonderful day, thank you.", "Goodbye.");
    /** Lines rendered once: FreeTTS takes a moment for each. */
    private static final Cache<String, byte[]> VOICED = Caffeine.newBuilder().maximumSize(256).build();

    private static final Logger log = LoggerFactory.getLogger(SandboxCallee.class);
    private static final Pattern EVENT = Pattern.compile("\"event\"\\s*:\\s*\"([a-z]+)\"");
    private static final Pattern MARK = Pattern.compile("\"mark\"\\s*:\\s*\\{\\s*\"name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern PAYLOAD = Pattern.compile("\"payload\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
    /** The persona's silence after which the callee takes its turn. */
    private static final long TURN_GAP_MILLIS = 2_000;

    private final String streamSid = "MZ" + UUID.randomUUID().toString().replace("-", "");
    private final String callSid;
    private final String token;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sandbox-callee").daemon().factory());
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final Deque<byte[]> speech = new ArrayDeque<>();
    private WebSocket socket;
    private long sequence;
    private long chunk;
    private int nextLine;
    private volatile long heardUntilNanos;   // when the persona's audio received so far ends, played out in real time
    private volatile boolean personaSpoke;
    private final CallRecorder recorder;
    private volatile long startNanos;

    private final List<String> lines;

    /** How a call put through to another number ends: {@code "transferred to +1..."}. */
    static final String TRANSFERRED = "transferred to ";

    private java.util.function.Supplier<String> transferredTo = () -> null;

    private SandboxCallee(String callSid, String token, CallRecorder recorder, List<String> lines) {
        this.callSid = callSid;
        this.token = token;
        this.recorder = recorder;
        this.lines = lines == null || lines.isEmpty() ? LINES : List.copyOf(lines);
    }

    /**
     * Calls the runtime at {@code streamUrl} for the answered call {@code callSid}; the future completes with why the
     * call ended ({@code runtime_ended}, {@code talk_limit}, or the failure) once the callee has hung up.
     */
    static CompletableFuture<String> join(URI streamUrl, String callSid, String token, Duration talk) {
        return join(streamUrl, callSid, token, talk, null, null);
    }

    /**
     * As above, saying {@code lines} (null: {@link #LINES}) and recording both sides into {@code recorder} when one is
     * given.
     */
    static CompletableFuture<String> join(URI streamUrl, String callSid, String token, Duration talk, CallRecorder recorder,
                                          List<String> lines) {
        return join(streamUrl, callSid, token, talk, recorder, lines, () -> null);
    }

    /**
     * As above; {@code transferredTo} is asked each second whether the call has been put through to a number (a carrier's
     * redirect): the stream then stops and the future completes with {@value #TRANSFERRED} and the number.
     */
    static CompletableFuture<String> join(URI streamUrl, String callSid, String token, Duration talk, CallRecorder recorder,
                                          List<String> lines, java.util.function.Supplier<String> transferredTo) {
        SandboxCallee callee = new SandboxCallee(callSid, token, recorder, lines);
        callee.transferredTo = transferredTo;
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(streamUrl, callee)
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        callee.finish("the voice runtime could not be reached at " + streamUrl + ": " + failure.getMessage());
                    } else {
                        callee.started(ws, talk);
                    }
                });
        return callee.ended;
    }

    private synchronized void started(WebSocket ws, Duration talk) {
        socket = ws;
        startNanos = System.nanoTime();
        send("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
        send("""
                {"event":"start","sequenceNumber":"%d","streamSid":"%s","start":{"accountSid":"ACsandbox","callSid":"%s","streamSid":"%s",\
                "tracks":["inbound"],"customParameters":{"token":"%s"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"""
                .formatted(++sequence, streamSid, callSid, streamSid, token));
        clock.scheduleAtFixedRate(this::tick, 20, 20, TimeUnit.MILLISECONDS);
        clock.schedule(() -> hangUp("talk_limit"), talk.toMillis(), TimeUnit.MILLISECONDS);
        clock.scheduleAtFixedRate(this::checkTransfer, 1, 1, TimeUnit.SECONDS);
    }

    /** Once a second: a call the carrier was asked to put through elsewhere leaves the runtime, as Twilio's redirect ends a stream. */
    private void checkTransfer() {
        String to;
        try {
            to = transferredTo.get();
        } catch (RuntimeException e) {
            return;   // asked again in a second
        }
        if (to != null) hangUp(TRANSFERRED + to);
    }

    /** Every 20 ms, as a phone line: the next frame of what the callee is saying, or silence. */
    private synchronized void tick() {
        if (ended.isDone()) return;
        if (speech.isEmpty() && personaSpoke && nextLine < lines.size()
                && System.nanoTime() - heardUntilNanos > TURN_GAP_MILLIS * 1_000_000) {
            byte[] line = voiced(lines.get(nextLine++));
            for (int i = 0; i + SandboxVoice.FRAME_BYTES <= line.length; i += SandboxVoice.FRAME_BYTES) {
                speech.add(java.util.Arrays.copyOfRange(line, i, i + SandboxVoice.FRAME_BYTES));
            }
            personaSpoke = false;
        }
        byte[] frame = speech.poll();
        if (frame == null) {
            frame = new byte[SandboxVoice.FRAME_BYTES];
            java.util.Arrays.fill(frame, (byte) 0xFF);
        }
        if (recorder != null) {
            recorder.add(chunk * SandboxVoice.FRAME_BYTES, frame);
        }
        chunk++;
        send("{\"event\":\"media\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"media\":{\"track\":\"inbound\",\"chunk\":\"%d\",\"timestamp\":\"%d\",\"payload\":\"%s\"}}"
                .formatted(++sequence, streamSid, chunk, chunk * 20, Base64.getEncoder().encodeToString(frame)));
    }

    private static byte[] voiced(String line) {
        return VOICED.get(line, SandboxVoice::speak);
    }

    /** Renders the default lines ahead of the first call (FreeTTS takes a moment the first time). */
    static void warmUp() {
        LINES.forEach(SandboxCallee::voiced);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String message = partial.toString();
            partial.setLength(0);
            Matcher event = EVENT.matcher(message);
            if (event.find()) {
                switch (event.group(1)) {
                    case "media" -> heard(message);
                    case "mark" -> {
                        Matcher name = MARK.matcher(message);
                        if (name.find()) echoMark(name.group(1));
                    }
                    case "clear" -> heardUntilNanos = System.nanoTime();
                    default -> { }
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    private void heard(String message) {
        Matcher payload = PAYLOAD.matcher(message);
        if (!payload.find()) return;
        byte[] audio = Base64.getDecoder().decode(payload.group(1));
        int bytes = audio.length;
        long now = System.nanoTime();
        long from = Math.max(now, heardUntilNanos);
        if (recorder != null) {
            recorder.add((from - startNanos) / 125_000L, audio);   // where it plays, in 1/8000 s
        }
        heardUntilNanos = from + bytes * 125_000L;   // 8,000 bytes a second
        personaSpoke = true;
    }

    /** Twilio sends a mark back when the audio before it has played; the callee plays in real time. */
    private void echoMark(String name) {
        long delay = Math.max(0, (heardUntilNanos - System.nanoTime()) / 1_000_000);
        clock.schedule(() -> {
            synchronized (this) {
                if (!ended.isDone()) {
                    send("{\"event\":\"mark\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"mark\":{\"name\":\"%s\"}}".formatted(++sequence, streamSid, name));
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        finish("runtime_ended");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        finish("the voice runtime's stream failed: " + error);
    }

    private synchronized void hangUp(String why) {
        if (ended.isDone()) return;
        send("{\"event\":\"stop\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"stop\":{\"accountSid\":\"ACsandbox\",\"callSid\":\"%s\"}}"
                .formatted(++sequence, streamSid, callSid));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "hung up");
        finish(why);
    }

    private void finish(String why) {
        if (ended.complete(why)) {
            clock.shutdownNow();
            if (!"runtime_ended".equals(why) && !"talk_limit".equals(why) && !why.startsWith(TRANSFERRED)) log.warn("Sandbox callee of {}: {}", callSid, why);
        }
    }

    private void send(String text) {
        try {
            socket.sendText(text, true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            finish("the voice runtime's stream failed: " + e);
        }
    }
}
