package io.parley.runtime.speech.openai;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.speech.TcpProxy;
import io.parley.runtime.speech.WebSocketTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI Realtime (GA) on loopback, for tests: a WebSocket at {@code /v1/realtime} that speaks the
 * vendor's events as documented, with a stand-in model. Every client event is recorded for assertions.
 *
 * <ul>
 *   <li>Handshake: {@code Authorization: Bearer} {@link #KEY}, else 401 with OpenAI's error body.
 *       {@code session.created} first; {@code session.update} answered with {@code session.updated}.</li>
 *   <li>Caller audio ({@code input_audio_buffer.append}, decoded by the session's input format): an energy
 *       VAD in 20 ms frames drives {@code speech_started}/{@code speech_stopped} ({@code silence_duration_ms}
 *       from the session), {@code committed}, the user item, and — when transcription is configured — the
 *       transcript delta by delta and {@code completed}, taking the words from {@link #callerSays}. As the real
 *       server does, unless {@code create_response}/{@code interrupt_response} are false, it answers at speech
 *       stop and cancels a reply in progress at speech start.</li>
 *   <li>{@code response.create}: the {@link #model} decides the words (and a tool call); the reply is streamed
 *       as {@code response.created}, the message item, its transcript (all of it first, as the real one runs
 *       ahead of its audio), audio deltas of 100 ms at {@link #audioPace} ({@value #MILLIS_PER_WORD} ms a word,
 *       μ-law tone), then the function call item and {@code response.done} with usage.</li>
 *   <li>{@code response.cancel}, {@code conversation.item.truncate} (refused past the item's audio),
 *       {@code conversation.item.create}, errors for unknown events and a second response in progress.</li>
 *   <li>Faults for the next reply: an {@code error} instead, a {@code failed} status, a stall after
 *       {@code response.created}, a delay before it, a dropped connection after some audio.</li>
 * </ul>
 */
public final class RealtimeServer implements AutoCloseable {

    public static final String KEY = "sk-realtime-test";
    public static final int MILLIS_PER_WORD = 350;
    /** The loud frame the model's voice is made of (a caller's voice too, when a test sends it). */
    public static final byte TONE = 0x10;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int FRAME_BYTES = 160;
    private static final int DELTA_BYTES = 800;

    /** What the model is asked: the reply's instructions (null: the session's) and the conversation so far. */
    public record Prompt(String instructions, List<JsonNode> conversation) {
        /** The line it is asked to say word for word, or null. */
        public String lineToSay() {
            if (instructions == null || !instructions.startsWith(RealtimeClientEvents.SAY_INSTRUCTIONS)) return null;
            return instructions.substring(RealtimeClientEvents.SAY_INSTRUCTIONS.length());
        }

        /** The caller's last words (a transcribed audio item or a text item), or "". */
        public String lastCallerText() {
            for (int i = conversation.size() - 1; i >= 0; i--) {
                JsonNode item = conversation.get(i);
                if (!"user".equals(item.path("role").asString(""))) continue;
                JsonNode content = item.path("content").path(0);
                String text = content.path("transcript").asString(content.path("text").asString(""));
                if (!text.isBlank()) return text;
            }
            return "";
        }

        public JsonNode lastItem() {
            return conversation.isEmpty() ? JSON.createObjectNode() : conversation.getLast();
        }
    }

    /** What the model answers: words (spoken), then optionally a tool call. */
    public record Answer(String text, String toolName, String toolArguments) {
        public static Answer say(String text) {
            return new Answer(text, null, null);
        }

        public static Answer call(String toolName, String arguments) {
            return new Answer("", toolName, arguments);
        }

        public Answer andCall(String name, String arguments) {
            return new Answer(text, name, arguments);
        }
    }

    /** The stand-in model: says the line it is asked to, else answers with {@link #answers} (default: echoes the caller). */
    public volatile Function<Prompt, Answer> answers = prompt -> Answer.say("You said " + prompt.lastCallerText() + ".");
    /** What the caller's next stretches of speech are transcribed as, in order ("" when empty). */
    public final BlockingQueue<String> callerSays = new LinkedBlockingQueue<>();
    /** Wall time per 100 ms audio delta: zero streams as fast as it can; 100 ms is real time. */
    public volatile Duration audioPace = Duration.ZERO;
    /** Before {@code response.created} of every reply: a slow server. */
    public volatile Duration responseDelay = Duration.ZERO;
    /** The next {@code response.create} gets this {@code error} code instead. */
    public volatile String errorNextResponse;
    /** The next reply ends with status {@code failed} and this error code. */
    public volatile String failNextResponse;
    /** The next reply stops after {@code response.created}: the server goes quiet. */
    public volatile boolean stallNextResponse;
    /** After this many audio deltas of the next reply, the connection is reset (-1: never). */
    public volatile int dropAfterDeltas = -1;
    /** Every {@code response.done} usage the server sent. */
    public final List<JsonNode> usages = new CopyOnWriteArrayList<>();

    private final WebSocketTestServer sockets;
    private final TcpProxy proxy;
    private final LinkedBlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();

    public RealtimeServer() throws Exception {
        sockets = new WebSocketTestServer("/v1/realtime", handshake -> ("Bearer " + KEY).equals(handshake.header("Authorization")) ? null
                : new WebSocketTestServer.Refusal(401, Map.of(), "{\"error\":{\"message\":\"Incorrect API key provided.\","
                        + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\",\"param\":null}}"));
        proxy = new TcpProxy(sockets.uri().getPort());
        Thread.ofVirtual().name("realtime-accept").start(this::acceptLoop);
    }

    /** The API root to configure, as for chat completions ({@code http://127.0.0.1:port/v1}), through the proxy. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + proxy.port() + "/v1");
    }

    /** The next session a client opened, or an AssertionError after {@code timeout}. */
    public Session awaitSession(Duration timeout) throws InterruptedException {
        Session session = sessions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (session == null) throw new AssertionError("no Realtime session within " + timeout);
        return session;
    }

    public Session pollSession(Duration timeout) throws InterruptedException {
        return sessions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Resets every connection, as a network failure would. */
    public void dropConnections() {
        proxy.dropAll();
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        sockets.close();
    }

    private void acceptLoop() {
        while (true) {
            try {
                WebSocketTestServer.Connection connection = sockets.awaitConnection(Duration.ofDays(1));
                Session session = new Session(connection);
                sessions.add(session);
                Thread.ofVirtual().name("realtime-session").start(session::run);
            } catch (InterruptedException | AssertionError e) {
                return;
            }
        }
    }

    private String id(String prefix) {
        return prefix + "_" + ids.incrementAndGet();
    }

    /** One client's session on the server. */
    public final class Session {
        public final WebSocketTestServer.Handshake handshake;
        /** Every client event, in order (audio appends included). */
        public final List<JsonNode> received = new CopyOnWriteArrayList<>();
        /** The conversation as the server holds it. */
        public final List<ObjectNode> conversation = new CopyOnWriteArrayList<>();
        private final WebSocketTestServer.Connection connection;
        private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
        private volatile ObjectNode session = JSON.createObjectNode();
        private volatile Reply speaking;
        // VAD, on the reader thread
        private long audioMillis;
        private boolean voice;
        private long silentMillis;
        private String userItem;

        Session(WebSocketTestServer.Connection connection) {
            this.connection = connection;
            this.handshake = connection.handshake;
        }

        /** The first client event of {@code type} (from the start) matching {@code test}, waiting up to {@code timeout}. */
        public JsonNode await(String type, Predicate<JsonNode> test, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (JsonNode event : received) {
                    if (type.equals(event.path("type").asString("")) && test.test(event)) return event;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no " + type + " within " + timeout + "; received " + types());
        }

        public JsonNode await(String type, Duration timeout) throws InterruptedException {
            return await(type, e -> true, timeout);
        }

        /** The client events' types, in order, audio appends left out. */
        public List<String> types() {
            return received.stream().map(e -> e.path("type").asString("")).filter(t -> !t.equals("input_audio_buffer.append")).toList();
        }

        /** All caller audio appended so far. */
        public byte[] audio() {
            synchronized (audio) {
                return audio.toByteArray();
            }
        }

        /** The item of the conversation with this id. */
        public ObjectNode item(String id) {
            return conversation.stream().filter(i -> id.equals(i.path("id").asString(""))).findFirst().orElse(null);
        }

        /** Sends a server event as is. */
        public void send(String event) throws IOException {
            connection.send(event);
        }

        private void send(ObjectNode event) {
            event.put("event_id", id("event"));
            try {
                connection.send(JSON.writeValueAsString(event));
            } catch (IOException | IllegalStateException e) {
                // the client went away: nothing to tell it
            }
        }

        private void run() {
            ObjectNode created = event("session.created");
            ObjectNode defaults = created.putObject("session");
            defaults.put("type", "realtime").put("object", "realtime.session").put("id", id("sess")).put("model", "gpt-realtime");
            send(created);
            while (!connection.closed.isDone()) {
                WebSocketTestServer.Frame frame;
                try {
                    frame = connection.received.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (frame instanceof WebSocketTestServer.Text text) {
                    JsonNode event = JSON.readTree(text.text());
                    // handled before it is recorded: a test that awaited it sees what the server made of it
                    handle(event);
                    received.add(event);
                }
            }
        }

        private void handle(JsonNode event) {
            String eventId = event.path("event_id").asString(null);
            switch (event.path("type").asString("")) {
                case "session.update" -> {
                    session = (ObjectNode) event.path("session");
                    ObjectNode updated = event("session.updated");
                    updated.set("session", session.deepCopy().put("object", "realtime.session"));
                    send(updated);
                }
                case "input_audio_buffer.append" -> append(Base64.getDecoder().decode(event.path("audio").asString("")));
                case "conversation.item.create" -> {
                    ObjectNode item = ((ObjectNode) event.path("item")).deepCopy();
                    if (!item.has("id")) item.put("id", id("item"));
                    item.put("status", "completed");
                    conversation.add(item);
                    ObjectNode added = event("conversation.item.added");
                    added.set("item", item);
                    send(added);
                }
                case "response.create" -> respond(eventId, (ObjectNode) event.path("response"), true);
                case "response.cancel" -> {
                    Reply reply = speaking;
                    String named = event.path("response_id").asString(null);
                    if (reply == null || (named != null && !named.equals(reply.id))) {
                        error(eventId, "response_cancel_not_active", "Cancellation failed: no active response found.");
                    } else {
                        reply.cancel("client_cancelled");
                    }
                }
                case "conversation.item.truncate" -> truncate(eventId, event);
                default -> error(eventId, "invalid_event", "Unknown event type " + event.path("type").asString(""));
            }
        }

        // --- the caller's audio

        private void append(byte[] ulaw) {
            synchronized (audio) {
                audio.writeBytes(ulaw);
            }
            for (int at = 0; at + FRAME_BYTES <= ulaw.length; at += FRAME_BYTES) {
                frame(Arrays.copyOfRange(ulaw, at, at + FRAME_BYTES));
            }
        }

        private void frame(byte[] ulaw) {
            audioMillis += 20;
            JsonNode turns = session.path("audio").path("input").path("turn_detection");
            if (!turns.isObject()) return; // no VAD: the client commits
            short[] pcm = new short[ulaw.length];
            Mulaw.decode(ulaw, 0, ulaw.length, pcm, 0);
            double energy = 0;
            for (short s : pcm) energy += (double) s * s;
            boolean voiced = Math.sqrt(energy / pcm.length) > 1_000;
            if (!voice && voiced) {
                voice = true;
                silentMillis = 0;
                userItem = id("item");
                ObjectNode started = event("input_audio_buffer.speech_started");
                started.put("audio_start_ms", Math.max(0, audioMillis - 20 - turns.path("prefix_padding_ms").asLong(300)));
                started.put("item_id", userItem);
                send(started);
                Reply reply = speaking;
                if (reply != null && turns.path("interrupt_response").asBoolean(true)) reply.cancel("turn_detected");
            } else if (voice) {
                silentMillis = voiced ? 0 : silentMillis + 20;
                if (silentMillis >= turns.path("silence_duration_ms").asLong(500)) speechStopped(turns);
            }
        }

        private void speechStopped(JsonNode turns) {
            voice = false;
            ObjectNode stopped = event("input_audio_buffer.speech_stopped");
            stopped.put("audio_end_ms", audioMillis);
            stopped.put("item_id", userItem);
            send(stopped);
            ObjectNode committed = event("input_audio_buffer.committed");
            committed.put("item_id", userItem);
            committed.put("previous_item_id", conversation.isEmpty() ? null : conversation.getLast().path("id").asString());
            send(committed);
            ObjectNode item = JSON.createObjectNode().put("id", userItem).put("type", "message").put("role", "user").put("status", "completed");
            ObjectNode content = item.putArray("content").addObject().put("type", "input_audio");
            content.putNull("transcript");
            conversation.add(item);
            ObjectNode added = event("conversation.item.added");
            added.set("item", item);
            send(added);
            JsonNode transcription = session.path("audio").path("input").path("transcription");
            if (transcription.isObject()) {
                String words = callerSays.poll();
                String text = words == null ? "" : words;
                for (String word : text.isEmpty() ? new String[0] : text.split("(?<= )")) {
                    ObjectNode delta = event("conversation.item.input_audio_transcription.delta");
                    delta.put("item_id", userItem).put("content_index", 0).put("delta", word);
                    send(delta);
                }
                content.put("transcript", text);
                ObjectNode completed = event("conversation.item.input_audio_transcription.completed");
                completed.put("item_id", userItem).put("content_index", 0).put("transcript", text);
                completed.putObject("usage").put("type", "tokens").put("input_tokens", 10).put("output_tokens", 5).put("total_tokens", 15);
                send(completed);
            }
            if (turns.path("create_response").asBoolean(true)) respond(null, JSON.createObjectNode(), false);
        }

        // --- replies

        private void respond(String eventId, ObjectNode response, boolean asked) {
            if (speaking != null) {
                error(eventId, "conversation_already_has_active_response", "Conversation already has an active response in progress.");
                return;
            }
            String code = errorNextResponse;
            if (asked && code != null) {
                errorNextResponse = null;
                error(eventId, code, "The server could not create this response.");
                return;
            }
            Prompt prompt = new Prompt(response.path("instructions").asString(null), List.copyOf(conversation));
            Answer answer = prompt.lineToSay() != null ? Answer.say(prompt.lineToSay()) : answers.apply(prompt);
            Reply reply = new Reply(id("resp"), response.path("metadata"), answer);
            speaking = reply;
            Thread.ofVirtual().name("realtime-reply").start(reply::stream);
        }

        private void truncate(String eventId, JsonNode event) {
            ObjectNode item = item(event.path("item_id").asString(""));
            long end = event.path("audio_end_ms").asLong(-1);
            if (item == null || !"assistant".equals(item.path("role").asString(""))) {
                error(eventId, "invalid_value", "Only assistant message items can be truncated.");
                return;
            }
            if (end < 0 || end > item.path("audio_ms").asLong(0)) {
                error(eventId, "invalid_value", "audio_end_ms is longer than the audio.");
                return;
            }
            // the server forgets the transcript of what was cut
            ObjectNode content = (ObjectNode) item.path("content").path(0);
            content.put("transcript", "");
            item.put("truncated_at_ms", end);
            ObjectNode truncated = event("conversation.item.truncated");
            truncated.put("item_id", item.path("id").asString()).put("content_index", 0).put("audio_end_ms", end);
            send(truncated);
        }

        private void error(String eventId, String code, String message) {
            ObjectNode error = event("error");
            ObjectNode body = error.putObject("error");
            body.put("type", "invalid_request_error").put("code", code).put("message", message).putNull("param");
            if (eventId != null) body.put("event_id", eventId);
            else body.putNull("event_id");
            send(error);
        }

        private ObjectNode event(String type) {
            return JSON.createObjectNode().put("type", type);
        }

        /** One response, streamed on its own thread so cancels are heard while it plays. */
        private final class Reply {
            final String id;
            final JsonNode metadata;
            final Answer answer;
            volatile String cancelled;

            Reply(String id, JsonNode metadata, Answer answer) {
                this.id = id;
                this.metadata = metadata;
                this.answer = answer;
            }

            private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

            /** Like the real server, finishes the cancel (its {@code response.done}) before it reads the next event. */
            void cancel(String reason) {
                cancelled = reason;
                try {
                    ended.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            void stream() {
                try {
                    streamAll();
                } finally {
                    ended.countDown();
                }
            }

            private void streamAll() {
                String failing = failNextResponse;
                failNextResponse = null;
                boolean stall = stallNextResponse;
                stallNextResponse = false;
                int dropAfter = dropAfterDeltas;
                dropAfterDeltas = -1;
                sleep(responseDelay);
                ObjectNode created = event("response.created");
                ObjectNode resource = response("in_progress");
                created.set("response", resource);
                send(created);
                while (stall && cancelled == null && !connection.closed.isDone()) sleep(Duration.ofMillis(20)); // quiet until cancelled
                ArrayNode output = JSON.createArrayNode();
                int words = answer.text().isBlank() ? 0 : answer.text().strip().split("\\s+").length;
                long audioMillis = 0;
                if (words > 0 && failing == null) {
                    String itemId = id("item");
                    ObjectNode item = JSON.createObjectNode().put("id", itemId).put("type", "message").put("role", "assistant")
                            .put("status", "in_progress");
                    item.putArray("content").addObject().put("type", "output_audio").put("transcript", answer.text());
                    conversation.add(item);
                    ObjectNode added = event("response.output_item.added");
                    added.put("response_id", id).put("output_index", 0);
                    added.set("item", item.deepCopy());
                    send(added);
                    for (String word : answer.text().split("(?<= )")) {
                        ObjectNode delta = event("response.output_audio_transcript.delta");
                        delta.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", 0).put("delta", word);
                        send(delta);
                    }
                    byte[] voice = new byte[words * MILLIS_PER_WORD * 8];
                    Arrays.fill(voice, TONE);
                    int deltas = 0;
                    for (int at = 0; at < voice.length && cancelled == null; at += DELTA_BYTES) {
                        byte[] piece = Arrays.copyOfRange(voice, at, Math.min(voice.length, at + DELTA_BYTES));
                        ObjectNode delta = event("response.output_audio.delta");
                        delta.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                                .put("delta", Base64.getEncoder().encodeToString(piece));
                        send(delta);
                        audioMillis += piece.length / 8;
                        item.put("audio_ms", audioMillis);
                        if (++deltas == dropAfter) {
                            sleep(Duration.ofMillis(200)); // let the client read what was sent: a reset discards what is in flight
                            dropConnections();
                            return;
                        }
                        sleep(audioPace);
                    }
                    item.put("status", cancelled == null ? "completed" : "incomplete");
                    if (cancelled == null) {
                        ObjectNode done = event("response.output_audio_transcript.done");
                        done.put("response_id", id).put("item_id", itemId).put("output_index", 0).put("content_index", 0)
                                .put("transcript", answer.text());
                        send(done);
                    }
                    ObjectNode itemDone = event("response.output_item.done");
                    itemDone.put("response_id", id).put("output_index", 0);
                    itemDone.set("item", item.deepCopy());
                    send(itemDone);
                    output.add(item.deepCopy());
                }
                if (answer.toolName() != null && cancelled == null && failing == null) {
                    String itemId = id("fc");
                    String callId = id("call");
                    ObjectNode call = JSON.createObjectNode().put("id", itemId).put("type", "function_call").put("status", "completed")
                            .put("name", answer.toolName()).put("call_id", callId).put("arguments", "");
                    ObjectNode added = event("response.output_item.added");
                    added.put("response_id", id).put("output_index", output.size());
                    added.set("item", call.deepCopy());
                    send(added);
                    ObjectNode delta = event("response.function_call_arguments.delta");
                    delta.put("response_id", id).put("item_id", itemId).put("output_index", output.size()).put("call_id", callId)
                            .put("delta", answer.toolArguments());
                    send(delta);
                    ObjectNode done = event("response.function_call_arguments.done");
                    done.put("response_id", id).put("item_id", itemId).put("output_index", output.size()).put("call_id", callId)
                            .put("arguments", answer.toolArguments());
                    send(done);
                    call.put("arguments", answer.toolArguments());
                    conversation.add(call);
                    output.add(call);
                }
                ObjectNode done = event("response.done");
                String status = failing != null ? "failed" : cancelled != null ? "cancelled" : "completed";
                ObjectNode finished = response(status);
                finished.set("output", output);
                if (failing != null) {
                    finished.putObject("status_details").put("type", "failed").putObject("error").put("type", "server_error").put("code", failing);
                } else if (cancelled != null) {
                    finished.putObject("status_details").put("type", "cancelled").put("reason", cancelled);
                }
                ObjectNode usage = finished.putObject("usage");
                long audioTokens = audioMillis / 50;
                usage.put("input_tokens", 100 + 10L * conversation.size()).put("output_tokens", 5L * words + audioTokens)
                        .put("total_tokens", 100 + 10L * conversation.size() + 5L * words + audioTokens);
                usage.putObject("input_token_details").put("text_tokens", 100).put("audio_tokens", 10L * conversation.size());
                usage.putObject("output_token_details").put("text_tokens", 5L * words).put("audio_tokens", audioTokens);
                usages.add(usage);
                speaking = null;
                done.set("response", finished);
                send(done);
            }

            private ObjectNode response(String status) {
                ObjectNode response = JSON.createObjectNode();
                response.put("object", "realtime.response").put("id", id).put("status", status).putNull("status_details");
                response.putArray("output");
                response.putArray("output_modalities").add("audio");
                response.set("metadata", metadata.isObject() ? metadata.deepCopy() : null);
                response.putNull("usage");
                return response;
            }
        }
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) return;
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code millis} of the tone a test caller speaks with, as 20 ms frames of μ-law. */
    public static List<byte[]> voice(int millis) {
        List<byte[]> frames = new ArrayList<>();
        for (int at = 0; at < millis; at += 20) {
            byte[] frame = new byte[FRAME_BYTES];
            Arrays.fill(frame, TONE);
            frames.add(frame);
        }
        return frames;
    }

    /** {@code millis} of silence as 20 ms frames of μ-law. */
    public static List<byte[]> silence(int millis) {
        List<byte[]> frames = new ArrayList<>();
        for (int at = 0; at < millis; at += 20) {
            byte[] frame = new byte[FRAME_BYTES];
            Arrays.fill(frame, Mulaw.silence());
            frames.add(frame);
        }
        return frames;
    }

    /** A fresh id, for tests that need one the server has never seen. */
    public static String unknownId() {
        return "item_" + UUID.randomUUID();
    }
}
