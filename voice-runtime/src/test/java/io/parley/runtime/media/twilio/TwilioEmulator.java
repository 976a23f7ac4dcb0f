package io.parley.runtime.media.twilio;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plays Twilio's side of a Media Streams socket against the runtime: sends connected/start/media/
 * mark/dtmf/stop exactly as Twilio does, and records what the runtime sends back with arrival times.
 */
public final class TwilioEmulator implements WebSocket.Listener, AutoCloseable {

    /** A message from the runtime and when it arrived. */
    public record Received(JsonNode json, long atNanos) {
        public String event() {
            return json.get("event").asString();
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public final String streamSid = "MZ" + java.util.UUID.randomUUID().toString().replace("-", "");
    public final String callSid = "CA" + java.util.UUID.randomUUID().toString().replace("-", "");
    public final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private long sequence;
    private long chunk;

    public TwilioEmulator(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(uri, this).join();
    }

    public TwilioEmulator(URI uri) {
        this(uri, Map.of());
    }

    public synchronized void connected() {
        send("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
    }

    public synchronized void start(String token) {
        send("""
                {"event":"start","sequenceNumber":"%d","streamSid":"%s","start":{"accountSid":"ACtest-account",
                "callSid":"%s","streamSid":"%s","tracks":["inbound"],"customParameters":{"token":"%s"},
                "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}""".formatted(++sequence, streamSid, callSid, streamSid, token));
    }

    public synchronized void media(byte[] ulaw) {
        chunk++;
        send("""
                {"event":"media","sequenceNumber":"%d","streamSid":"%s","media":{"track":"inbound","chunk":"%d","timestamp":"%d","payload":"%s"}}"""
                .formatted(++sequence, streamSid, chunk, chunk * 20, Base64.getEncoder().encodeToString(ulaw)));
    }

    /** Re-sends a chunk number already sent (Twilio never does; a broken proxy might). */
    public synchronized void duplicateMedia(byte[] ulaw) {
        send("""
                {"event":"media","sequenceNumber":"%d","streamSid":"%s","media":{"track":"inbound","chunk":"%d","timestamp":"%d","payload":"%s"}}"""
                .formatted(++sequence, streamSid, chunk, chunk * 20, Base64.getEncoder().encodeToString(ulaw)));
    }

    public synchronized void mark(String name) {
        send("{\"event\":\"mark\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"mark\":{\"name\":\"%s\"}}".formatted(++sequence, streamSid, name));
    }

    public synchronized void dtmf(String digit) {
        send("{\"event\":\"dtmf\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"%s\"}}".formatted(++sequence, streamSid, digit));
    }

    public synchronized void stop() {
        send("{\"event\":\"stop\",\"sequenceNumber\":\"%d\",\"streamSid\":\"%s\",\"stop\":{\"accountSid\":\"AC0\",\"callSid\":\"%s\"}}".formatted(++sequence, streamSid, callSid));
    }

    public synchronized void send(String text) {
        socket.sendText(text, true).join();
    }

    public synchronized void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next message from the runtime, or null after {@code millis}. */
    public Received next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Messages until one of {@code event} arrives (inclusive), or until {@code millis} pass. */
    public List<Received> until(String event, long millis) throws InterruptedException {
        List<Received> got = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Received r = received.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (r == null) break;
            got.add(r);
            if (r.event().equals(event)) break;
        }
        return got;
    }

    /** Echo every mark back at once, as Twilio does when playback reaches it (our playout leads by under 100 ms). */
    public volatile boolean echoMarks;

    /** Drops the connection without a close handshake or {@code stop}: an instance or network failure. */
    public void abort() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            Received message = new Received(JSON.readTree(partial.toString()), System.nanoTime());
            received.add(message);
            partial.setLength(0);
            if (echoMarks && message.event().equals("mark")) {
                String name = message.json().get("mark").get("name").asString();
                Thread.ofVirtual().start(() -> mark(name));
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }
}
