package io.parley.runtime.speech.openai;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.speech.SpeechToSpeech;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One call's OpenAI Realtime socket. The caller's thread only queues (audio into a bounded
 * {@link RealtimeOutbox}); a virtual thread of its own connects, configures the session, replays an
 * earlier conversation, then sends what is queued and watches replies for stalls; the HTTP client's
 * threads deliver the server's events one at a time, in order.
 *
 * <p>Callbacks are made holding {@link #lock}, which {@link #cancel} and {@link #close} take too, so no
 * report about a reply starts after its cancel returns and none at all after close returns. A broken
 * session reports {@code closed} once, then fails the replies in flight; replies asked of it later fail
 * at once (on another thread).
 */
final class OpenAiRealtimeSession implements SpeechToSpeech.Session, WebSocket.Listener {

    /** How often the sender looks for stalled replies when it has nothing to send. */
    private static final long STALL_CHECK_MILLIS = 100;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** Replies remembered after they end (a truncate often follows a reply's end). */
    private static final int KEPT_REPLIES = 32;

    private static final Logger log = LoggerFactory.getLogger(OpenAiRealtimeSession.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client;
    private final OpenAiRealtimeConfig config;
    private final URI uri;
    private final String apiKey;
    private final SpeechToSpeech.SessionSettings settings;
    private final SpeechToSpeech.Listener listener;
    private final Executor executor;
    private final String name;
    private final RealtimeOutbox outbox;
    private final Thread sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    private final AtomicLong eventNumber = new AtomicLong();
    private final String sessionEventId;
    /** Set under {@link #lock} by close: no callback is made once it is. */
    private volatile boolean closed;
    /** Set under {@link #lock} when the session broke. */
    private volatile OpenAiException failure;
    private volatile WebSocket socket;

    // replies, guarded by lock
    private final Map<String, Reply> replies = new LinkedHashMap<>();
    private final Map<String, Reply> byResponseId = new HashMap<>();
    private final Map<String, Reply> byEventId = new HashMap<>();
    private final ArrayDeque<Reply> awaitingCreated = new ArrayDeque<>();

    // the server's events arrive one at a time (each is requested after the last is handled): no locking needed
    private final StringBuilder partialText = new StringBuilder();
    private final Map<String, StringBuilder> interims = new HashMap<>();
    private final Set<String> transcribing = new HashSet<>();
    private boolean speaking;
    private boolean words;

    /** One reply asked of the server, by the caller's name for it. */
    private static final class Reply {
        final String id;
        final String eventId;
        String responseId;
        String audioItemId;
        long audioBytes;
        final Map<String, String> functionNames = new HashMap<>();
        /** Cancelled, done or failed: nothing more is reported about it. */
        boolean ended;
        long lastHeardNanos = System.nanoTime();

        Reply(String id, String eventId) {
            this.id = id;
            this.eventId = eventId;
        }
    }

    OpenAiRealtimeSession(HttpClient client, OpenAiRealtimeConfig config, String apiKey, SpeechToSpeech.SessionSettings settings,
                          SpeechToSpeech.Listener listener, Executor executor, String name) {
        this.client = client;
        this.config = config;
        this.uri = config.realtimeUri(settings.model());
        this.apiKey = apiKey;
        this.settings = settings;
        this.listener = listener;
        this.executor = executor;
        this.name = name;
        this.outbox = new RealtimeOutbox(config.maxQueued().toMillis() * 8);
        this.sessionEventId = nextEventId();
        this.sender = Thread.ofVirtual().name(name).unstarted(this::run);
    }

    void start() {
        sender.start();
    }

    URI uri() {
        return uri;
    }

    // ------------------------------------------------------------------ the call's side

    @Override
    public void audio(byte[] ulaw) {
        if (closed || failure != null || ulaw.length == 0) return;
        long before = outbox.droppedBytes();
        if (outbox.audio(ulaw.clone()) > 0 && before == 0) {
            log.warn("OpenAI Realtime session {} is behind: dropping the oldest queued audio", name);
        }
    }

    @Override
    public void respond(String id) {
        ask(id, eventId -> RealtimeClientEvents.respond(eventId, id));
    }

    @Override
    public void say(String id, String text) {
        ask(id, eventId -> RealtimeClientEvents.say(eventId, id, text == null ? "" : text));
    }

    private void ask(String id, java.util.function.Function<String, String> event) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            if (closed) return;
            OpenAiException broken = failure;
            if (broken != null) {
                executor.execute(() -> deliver(() -> listener.failed(id, broken)));
                return;
            }
            Reply reply = new Reply(id, nextEventId());
            Reply previous = replies.remove(id);
            if (previous != null) previous.ended = true;
            replies.put(id, reply);
            byEventId.put(reply.eventId, reply);
            awaitingCreated.add(reply);
            forgetOldReplies();
            outbox.control(event.apply(reply.eventId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void callerText(String text) {
        if (closed || failure != null || text == null || text.isBlank()) return;
        outbox.control(RealtimeClientEvents.historyItem(nextEventId(), new LanguageModel.Message("user", text)));
    }

    @Override
    public void toolResult(String toolCallId, String resultJson) {
        if (closed || failure != null) return;
        outbox.control(RealtimeClientEvents.functionCallOutput(nextEventId(), toolCallId, resultJson));
    }

    @Override
    public void cancel(String id) {
        lock.lock(); // waits for a callback in progress: none about this reply starts after this
        try {
            Reply reply = replies.get(id);
            if (reply == null || reply.ended) return;
            reply.ended = true;
            if (!closed && failure == null) outbox.control(RealtimeClientEvents.cancel(nextEventId(), reply.responseId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void truncate(String id, Duration heard) {
        lock.lock();
        try {
            Reply reply = replies.get(id);
            if (reply == null || reply.audioItemId == null || closed || failure != null) return;
            // never past the audio we were given: the server refuses an end beyond the item's audio
            long end = Math.max(0, Math.min(heard.toMillis(), reply.audioBytes / 8));
            outbox.control(RealtimeClientEvents.truncate(nextEventId(), reply.audioItemId, end));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        lock.lock(); // waits for a callback in progress: none starts after this
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        outbox.close(); // the sender wakes and closes the socket
        long dropped = outbox.droppedBytes();
        if (dropped > 0) log.warn("OpenAI Realtime session {} dropped {} ms of caller audio", name, dropped / 8);
    }

    /** Completes when the socket has closed (either side), or the session gave it up. */
    CompletableFuture<Void> socketClosed() {
        return socketClosed;
    }

    long droppedAudioBytes() {
        return outbox.droppedBytes();
    }

    // ------------------------------------------------------------------ sending (the session's own thread)

    private void run() {
        WebSocket ws = null;
        try {
            if (apiKey == null || apiKey.isBlank()) {
                throw new OpenAiException("No OpenAI API key: neither the session's settings nor the configuration has one", -1, null, null);
            }
            ws = connect();
            socket = ws;
            send(ws, RealtimeClientEvents.sessionUpdate(sessionEventId, settings, config));
            for (LanguageModel.Message message : settings.history()) {
                String item = RealtimeClientEvents.historyItem(nextEventId(), message);
                if (item != null) send(ws, item);
            }
            while (!closing.get() && failure == null) {
                String event = outbox.poll(STALL_CHECK_MILLIS);
                if (event != null && !closing.get()) send(ws, event);
                failStalledReplies();
            }
        } catch (InterruptedException e) {
            fail(new OpenAiException("OpenAI Realtime session interrupted", -1, null, e));
        } catch (OpenAiException e) {
            fail(e);
        } catch (Exception e) {
            fail(new OpenAiException("OpenAI Realtime session broke: " + e, -1, null, e));
        } finally {
            end(ws);
        }
    }

    private WebSocket connect() throws OpenAiException, InterruptedException {
        CompletableFuture<WebSocket> connecting = client.newWebSocketBuilder()
                .connectTimeout(config.connectTimeout())
                .header("Authorization", "Bearer " + apiKey)
                .buildAsync(uri, this);
        try {
            return connecting.get(config.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connecting.cancel(true);
            throw new OpenAiException("Timed out connecting to OpenAI Realtime at " + uri.getHost(), -1, null, e);
        } catch (ExecutionException e) {
            throw handshakeFailure(e.getCause());
        }
    }

    private void send(WebSocket ws, String event) throws Exception {
        try {
            ws.sendText(event, true).get(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new OpenAiException("OpenAI Realtime did not take an event for " + config.idleTimeout().toMillis() + " ms", -1, null, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** A reply the server has said nothing about for the idle timeout fails, and is cancelled in case it is still running. */
    private void failStalledReplies() {
        long now = System.nanoTime();
        long idle = config.idleTimeout().toNanos();
        lock.lock();
        try {
            for (Reply reply : replies.values()) {
                if (reply.ended || now - reply.lastHeardNanos < idle) continue;
                reply.ended = true;
                outbox.control(RealtimeClientEvents.cancel(nextEventId(), reply.responseId));
                OpenAiException stalled = new OpenAiException("OpenAI Realtime sent nothing about reply " + reply.id + " for "
                        + config.idleTimeout().toMillis() + " ms", -1, "timeout", null);
                deliver(() -> listener.failed(reply.id, stalled));
            }
        } finally {
            lock.unlock();
        }
    }

    /** After close: a normal close frame; after a failure: abort. */
    private void end(WebSocket ws) {
        try {
            if (ws == null) return;
            if (failure != null || ws.isOutputClosed()) {
                ws.abort();
                return;
            }
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                socketClosed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException | CompletionException e) {
                log.debug("OpenAI Realtime session {} did not close cleanly: {}", name, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!ws.isInputClosed()) ws.abort();
        } finally {
            socketClosed.complete(null);
        }
    }

    private OpenAiException handshakeFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException refused && refused.getResponse() != null) {
            HttpResponse<?> response = refused.getResponse();
            String code = null;
            String detail = null;
            String body = switch (response.body()) {
                case String s -> s;
                case byte[] b -> new String(b, StandardCharsets.UTF_8);
                case null, default -> null;
            };
            if (body != null && !body.isBlank()) {
                try {
                    JsonNode json = JSON.readTree(body).path("error");
                    code = json.path("code").asString(json.path("type").asString(null));
                    detail = json.path("message").asString(null);
                } catch (JacksonException e) {
                    detail = body.strip();
                }
            }
            return new OpenAiException("OpenAI Realtime refused the session: HTTP " + response.statusCode()
                    + (code == null ? "" : " " + code) + (detail == null ? "" : ": " + detail), response.statusCode(), code, cause);
        }
        return new OpenAiException("Cannot connect to OpenAI Realtime at " + uri.getHost() + ": " + cause, -1, null, cause);
    }

    // ------------------------------------------------------------------ receiving (the HTTP client's threads)

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            String message = partialText.toString();
            partialText.setLength(0);
            try {
                handle(message);
            } catch (RuntimeException e) {
                log.warn("OpenAI Realtime session {}: cannot handle {}: {}", name, abbreviate(message), e.toString());
            }
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1); // Realtime sends text events only
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        socketClosed.complete(null);
        if (!closing.get()) {
            fail(new OpenAiException("OpenAI Realtime closed the session: " + statusCode
                    + (reason == null || reason.isBlank() ? "" : " " + reason), -1, null, null));
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        socketClosed.complete(null);
        fail(new OpenAiException("OpenAI Realtime session broke: " + error, -1, null, error));
    }

    private void handle(String message) {
        JsonNode event;
        try {
            event = JSON.readTree(message);
        } catch (JacksonException e) {
            log.warn("OpenAI Realtime session {}: not JSON: {}", name, abbreviate(message));
            return;
        }
        switch (event.path("type").asString("")) {
            case "input_audio_buffer.speech_started" -> speechStarted();
            case "input_audio_buffer.speech_stopped" -> speechStopped(event.path("item_id").asString(null));
            case "input_audio_buffer.committed" -> {
                String item = event.path("item_id").asString(null);
                if (item != null) transcribing.add(item);
            }
            case "conversation.item.input_audio_transcription.delta" -> transcriptionDelta(event);
            case "conversation.item.input_audio_transcription.completed" ->
                    transcriptionEnded(event.path("item_id").asString(""), event.path("transcript").asString(""));
            case "conversation.item.input_audio_transcription.failed" -> {
                log.warn("OpenAI Realtime session {}: the caller's transcription failed: {}", name, event.path("error").path("message").asString(""));
                transcriptionEnded(event.path("item_id").asString(""), "");
            }
            case "response.created" -> responseCreated(event.path("response"));
            case "response.output_item.added" -> outputItemAdded(event.path("response_id").asString(""), event.path("item"));
            case "response.output_audio.delta" -> outputAudio(event);
            case "response.output_audio_transcript.delta" -> outputTranscript(event);
            case "response.function_call_arguments.done" -> functionCall(event);
            case "response.done" -> responseDone(event.path("response"));
            case "error" -> error(event.path("error"));
            default -> { } // session.*, conversation.item.*, content parts, rate limits: nothing to report
        }
    }

    // --- the caller

    private void speechStarted() {
        if (speaking) return;
        speaking = true;
        deliver(() -> listener.voiceActivity(true));
    }

    private void speechStopped(String itemId) {
        if (itemId != null) transcribing.add(itemId); // committed now: its transcript is on its way
        if (speaking) {
            speaking = false;
            deliver(() -> listener.voiceActivity(false));
        }
        endOfUtteranceIfSettled();
    }

    private void transcriptionDelta(JsonNode event) {
        String item = event.path("item_id").asString("");
        StringBuilder text = interims.computeIfAbsent(item, i -> new StringBuilder());
        text.append(event.path("delta").asString(""));
        String interim = text.toString().strip();
        if (!interim.isEmpty()) deliver(() -> listener.interim(interim));
    }

    private void transcriptionEnded(String item, String transcript) {
        interims.remove(item);
        transcribing.remove(item);
        String text = transcript.strip();
        if (!text.isEmpty()) {
            words = true;
            deliver(() -> listener.finalText(text));
        }
        endOfUtteranceIfSettled();
    }

    /** The caller is quiet and every stretch of their speech is transcribed: the utterance is complete. */
    private void endOfUtteranceIfSettled() {
        if (!speaking && transcribing.isEmpty() && words) {
            words = false;
            deliver(listener::endOfUtterance);
        }
    }

    // --- replies

    private void responseCreated(JsonNode response) {
        lock.lock();
        try {
            String named = response.path("metadata").path(RealtimeClientEvents.REPLY_METADATA_KEY).asString(null);
            Reply reply = named == null ? awaitingCreated.pollFirst() : replies.get(named);
            if (reply == null) return; // a response we did not ask for
            awaitingCreated.remove(reply);
            reply.responseId = response.path("id").asString(null);
            reply.lastHeardNanos = System.nanoTime();
            if (reply.responseId != null) byResponseId.put(reply.responseId, reply);
        } finally {
            lock.unlock();
        }
    }

    private void outputItemAdded(String responseId, JsonNode item) {
        lock.lock();
        try {
            Reply reply = heard(responseId);
            if (reply == null) return;
            switch (item.path("type").asString("")) {
                case "message" -> {
                    if (reply.audioItemId == null) reply.audioItemId = item.path("id").asString(null);
                }
                case "function_call" -> reply.functionNames.put(item.path("id").asString(""), item.path("name").asString(""));
                default -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    private void outputAudio(JsonNode event) {
        byte[] audio;
        try {
            audio = Base64.getDecoder().decode(event.path("delta").asString(""));
        } catch (IllegalArgumentException e) {
            log.warn("OpenAI Realtime session {}: audio that is not base64", name);
            return;
        }
        lock.lock();
        try {
            Reply reply = heard(event.path("response_id").asString(""));
            if (reply == null) return;
            String item = event.path("item_id").asString(null);
            if (reply.audioItemId == null) reply.audioItemId = item;
            if (item != null && item.equals(reply.audioItemId)) reply.audioBytes += audio.length;
            if (!reply.ended && audio.length > 0) deliver(() -> listener.audio(reply.id, audio));
        } finally {
            lock.unlock();
        }
    }

    private void outputTranscript(JsonNode event) {
        lock.lock();
        try {
            Reply reply = heard(event.path("response_id").asString(""));
            String delta = event.path("delta").asString("");
            if (reply != null && !reply.ended && !delta.isEmpty()) deliver(() -> listener.transcript(reply.id, delta));
        } finally {
            lock.unlock();
        }
    }

    private void functionCall(JsonNode event) {
        lock.lock();
        try {
            Reply reply = heard(event.path("response_id").asString(""));
            if (reply == null || reply.ended) return;
            String callId = event.path("call_id").asString("");
            String toolName = reply.functionNames.getOrDefault(event.path("item_id").asString(""), event.path("name").asString(""));
            String arguments = event.path("arguments").asString("{}");
            deliver(() -> listener.toolCall(reply.id, callId, toolName, arguments));
        } finally {
            lock.unlock();
        }
    }

    private void responseDone(JsonNode response) {
        JsonNode usage = response.path("usage");
        if (usage.isObject()) {
            SpeechToSpeech.Usage spent = new SpeechToSpeech.Usage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0),
                    usage.path("input_token_details").path("audio_tokens").asLong(0),
                    usage.path("output_token_details").path("audio_tokens").asLong(0));
            deliver(() -> listener.usage(spent));
        }
        lock.lock();
        try {
            Reply reply = heard(response.path("id").asString(""));
            if (reply == null || reply.ended) return;
            reply.ended = true;
            String status = response.path("status").asString("");
            if (status.equals("failed")) {
                JsonNode error = response.path("status_details").path("error");
                String code = error.path("code").asString(error.path("type").asString(null));
                OpenAiException failed = new OpenAiException("OpenAI Realtime failed reply " + reply.id
                        + (code == null ? "" : ": " + code) + (error.path("message").isString() ? " " + error.path("message").asString() : ""),
                        -1, code, null);
                deliver(() -> listener.failed(reply.id, failed));
            } else {
                // completed, incomplete (token limit, content filter: what came is what there is), or cancelled by the server
                deliver(() -> listener.done(reply.id));
            }
        } finally {
            lock.unlock();
        }
    }

    private void error(JsonNode error) {
        String code = error.path("code").asString(error.path("type").asString(null));
        String text = error.path("message").asString("no message");
        String eventId = error.path("event_id").asString(null);
        OpenAiException reported = new OpenAiException("OpenAI Realtime reported an error: " + text, -1, code, null);
        if (sessionEventId.equals(eventId)) { // the session is not configured as asked: it could answer on its own
            fail(reported);
            return;
        }
        lock.lock();
        try {
            Reply reply = eventId == null ? null : byEventId.get(eventId);
            if (reply != null && !reply.ended) {
                reply.ended = true;
                awaitingCreated.remove(reply);
                deliver(() -> listener.failed(reply.id, reported));
                return;
            }
        } finally {
            lock.unlock();
        }
        log.warn("OpenAI Realtime session {}: error {} ({}): {}", name, code, eventId, text);
    }

    /** The reply of {@code responseId}, noting that the server said something about it; null if unknown. Holding lock. */
    private Reply heard(String responseId) {
        Reply reply = byResponseId.get(responseId);
        if (reply != null) reply.lastHeardNanos = System.nanoTime();
        return reply;
    }

    private void forgetOldReplies() {
        Iterator<Reply> it = replies.values().iterator();
        while (replies.size() > KEPT_REPLIES && it.hasNext()) {
            Reply old = it.next();
            if (!old.ended) continue;
            it.remove();
            byEventId.remove(old.eventId);
            if (old.responseId != null) byResponseId.remove(old.responseId);
        }
    }

    // ------------------------------------------------------------------ callbacks

    private void deliver(Runnable callback) {
        lock.lock();
        try {
            if (!closed) callback.run();
        } catch (RuntimeException e) {
            log.warn("OpenAI Realtime session {}: the listener threw", name, e);
        } finally {
            lock.unlock();
        }
    }

    /** Breaks the session once: {@code closed}, then every reply in flight fails; the socket is dropped. */
    private void fail(OpenAiException error) {
        lock.lock();
        try {
            if (closed || failure != null) {
                log.debug("OpenAI Realtime session {} ended: {}", name, error.getMessage());
                return;
            }
            failure = error;
            deliver(() -> listener.closed(error));
            List<Reply> inFlight = new ArrayList<>();
            for (Reply reply : replies.values()) {
                if (!reply.ended) inFlight.add(reply);
            }
            for (Reply reply : inFlight) {
                reply.ended = true;
                deliver(() -> listener.failed(reply.id, error));
            }
        } finally {
            lock.unlock();
        }
        outbox.close();
        WebSocket ws = socket;
        if (ws != null) ws.abort();
    }

    private String nextEventId() {
        return "parley_" + eventNumber.incrementAndGet();
    }

    private static String abbreviate(String message) {
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
