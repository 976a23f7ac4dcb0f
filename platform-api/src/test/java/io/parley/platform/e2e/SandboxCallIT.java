package io.parley.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.parley.sdk.Parley;
import io.parley.sdk.Webhooks;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CallEvent;
import io.parley.sdk.model.CallStatus;
import io.parley.sdk.model.CallingWindow;
import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.CreatePersonaRequest;
import io.parley.sdk.model.CreateTenantRequest;
import io.parley.sdk.model.CreateTestCallRequest;
import io.parley.sdk.model.CreateWebhookEndpointRequest;
import io.parley.sdk.model.Persona;
import io.parley.sdk.model.PersonaKind;
import io.parley.sdk.model.TenantSettingsUpdate;
import io.parley.sdk.model.Voice;
import io.parley.sdk.model.VoiceProvider;
import io.parley.sdk.model.WebhookEndpointCreated;
import io.parley.sdk.model.WebhookEvent;
import io.parley.sdk.model.WebhookEventType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole call in test mode, as a newcomer runs it: the packaged platform-api (embedded PostgreSQL and Redis) and
 * the packaged voice runtime, two processes sharing that Redis and a call token secret, the same way
 * {@code ./run} starts them. A call to the sandbox's answering number rings, is answered, the sandbox callee talks
 * with the persona through the Media Streams protocol, and the call completes with a transcript, its events, and
 * signed webhooks that java-sdk verifies.
 */
class SandboxCallIT {

    private static final Path LOGS = Path.of("target", "e2e");
    private static final String OPERATOR_TOKEN = "op_e2e_" + UUID.randomUUID().toString().replace("-", "");
    private static final String CALL_TOKEN_SECRET = "e2e-call-token-secret-" + UUID.randomUUID();

    private static Process api;
    private static Process runtime;
    private static String apiUrl;
    private static HttpServer receiver;
    private static final BlockingQueue<Map.Entry<Map<String, List<String>>, String>> posts = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startParley() throws Exception {
        Files.createDirectories(LOGS);
        int redisPort = freePort();
        int apiPort = freePort();
        int runtimePort = freePort();
        apiUrl = "http://127.0.0.1:" + apiPort;

        Map<String, String> apiEnv = new HashMap<>();
        apiEnv.put("PORT", Integer.toString(apiPort));
        apiEnv.put("PARLEY_EMBEDDED", "auto");
        apiEnv.put("PARLEY_EMBEDDED_REDIS_PORT", Integer.toString(redisPort));
        apiEnv.put("PARLEY_OPERATOR_TOKEN", OPERATOR_TOKEN);
        apiEnv.put("PARLEY_CALL_TOKEN_SECRET", CALL_TOKEN_SECRET);
        apiEnv.put("PARLEY_RUNTIME_STREAM_URL", "ws://127.0.0.1:" + runtimePort + "/media-stream");
        apiEnv.put("PARLEY_WEBHOOKS_ALLOWED_PRIVATE_NETWORKS", "127.0.0.1/32");
        api = start("platform-api", System.getProperty("parley.e2e.platform-api-jar"), apiEnv,
                "--parley.telephony.sandbox-ring=1s", "--parley.telephony.sandbox-talk=90s");
        awaitHealthy(apiUrl, api, "platform-api");

        Map<String, String> runtimeEnv = new HashMap<>();
        runtimeEnv.put("PORT", Integer.toString(runtimePort));
        runtimeEnv.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
        runtimeEnv.put("PARLEY_CALL_TOKEN_SECRET", CALL_TOKEN_SECRET);
        runtimeEnv.put("PARLEY_API_URL", apiUrl);
        runtimeEnv.put("PARLEY_SPEECH_OFFLINE_MARY_LOADING", "off");   // the persona speaks with FreeTTS: quick to start
        runtime = start("voice-runtime", System.getProperty("parley.e2e.voice-runtime-jar"), runtimeEnv);
        awaitHealthy("http://127.0.0.1:" + runtimePort, runtime, "voice-runtime");

        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/parley", exchange -> {
            posts.add(Map.entry(Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopParley() throws InterruptedException {
        if (receiver != null) receiver.stop(0);
        for (Process p : new Process[] {runtime, api}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    @Test
    void aCallToTheAnsweringNumberCompletesWithATranscriptEventsAndASignedWebhook() throws Exception {
        Parley operator = Parley.builder().apiKey(OPERATOR_TOKEN).baseUrl(apiUrl).build();
        String key = operator.tenants().create(new CreateTenantRequest().name("North Pole Ltd")).getApiKey();
        Parley parley = Parley.builder().apiKey(key).baseUrl(apiUrl).build();
        // whatever the hour in California where the test number lies: this tenant calls at any time
        parley.settings().update(new TenantSettingsUpdate().callingWindow(new CallingWindow().enabled(false)));
        WebhookEndpointCreated endpoint = parley.webhookEndpoints().create(new CreateWebhookEndpointRequest()
                .url("http://127.0.0.1:" + receiver.getAddress().getPort() + "/parley")
                .eventTypes(java.util.Set.of(WebhookEventType.CALL_COMPLETED, WebhookEventType.TRANSCRIPT_READY)));
        // Santa from Parley's template, as a newcomer makes him
        assertThat(parley.personas().templates()).extracting(t -> t.getId()).contains("santa");
        Persona santa = parley.personas().create(new CreatePersonaRequest().template("santa")
                .voice(new Voice().provider(VoiceProvider.OFFLINE).voiceId("kevin16")));
        assertThat(santa.getKind()).isEqualTo(PersonaKind.SANTA);

        Call call = parley.calls().create(new CreateCallRequest().personaId(santa.getId()).to("+14155550100")
                .putVariablesItem("child_name", "Ella")
                .putVariablesItem("wish_list", List.of("a red bicycle", "a puppy")));

        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        for (Call now = parley.calls().get(call.getId()); now.getStatus() != CallStatus.COMPLETED; now = parley.calls().get(call.getId())) {
            assertThat(now.getStatus()).as("the call so far: %s; logs in %s", now, LOGS.toAbsolutePath())
                    .isIn(CallStatus.SCHEDULED, CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS);
            assertThat(Instant.now()).as("completed within 3 minutes; logs in %s", LOGS.toAbsolutePath()).isBefore(deadline);
            Thread.sleep(500);
        }

        // the transcript: Santa asked for the child by name, after the AI disclosure, heard the callee answer, and read the wish list
        List<CallEvent> turns = awaitEvents(parley, call.getId(), "call.turn", 3);
        List<String> bot = turns.stream().filter(t -> "bot".equals(t.getData().get("speaker"))).map(t -> (String) t.getData().get("text")).toList();
        List<String> caller = turns.stream().filter(t -> "caller".equals(t.getData().get("speaker"))).map(t -> (String) t.getData().get("text")).toList();
        assertThat(bot.getFirst()).startsWith("This call uses an AI voice.").contains("Ho ho ho!").endsWith("Am I speaking with Ella?");
        assertThat(String.join(" ", bot)).as("Santa used the child's name and wish list")
                .contains("Hello, Ella!").contains("It says you would love a red bicycle and a puppy.");
        assertThat(caller).as("the sandbox callee was heard").isNotEmpty().allSatisfy(text -> assertThat(text).isNotBlank());
        assertThat(bot.getLast()).as("the goodbye was heard to its end (the callee did not talk over it)").endsWith("Goodbye!");
        List<String> types = parley.calls().events(call.getId(), null, io.parley.sdk.ListParams.builder().limit(100).build()).getData()
                .stream().map(CallEvent::getType).toList();
        assertThat(types).containsSubsequence("call.created", "call.dialing", "call.ringing", "call.in_progress", "call.completed");
        assertThat(types).contains("call.started", "call.ended");

        // the signed webhooks, verified as a tenant's server verifies them
        Webhooks webhooks = new Webhooks(endpoint.getSecret());
        List<String> received = new ArrayList<>();
        Instant webhookDeadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!received.containsAll(List.of("call.completed", "transcript.ready"))) {
            var post = posts.poll(1, TimeUnit.SECONDS);
            assertThat(Instant.now()).as("both webhooks within 30 s, got %s", received).isBefore(webhookDeadline);
            if (post == null) continue;
            WebhookEvent event = webhooks.verify(post.getValue(), post.getKey());
            assertThat(event.getData().getCallId()).isEqualTo(call.getId());
            received.add(event.getType());
        }
    }

    /**
     * The second "done when" of personas: a receptionist made from the template, in test mode with the offline brain,
     * books a slot through a call, and a second call at the same moment asking for the same slot is refused. Two
     * simulated callers ring its sandbox number at once and say the same lines; the platform's exclusion constraint
     * (or its availability, when one booking is in before the other asks) lets exactly one of them have the slot.
     */
    @Test
    void aReceptionistBooksASlotThroughATestCallAndASecondCallForTheSameSlotIsRefused() throws Exception {
        Parley operator = Parley.builder().apiKey(OPERATOR_TOKEN).baseUrl(apiUrl).build();
        Parley parley = Parley.builder().apiKey(operator.tenants().create(new CreateTenantRequest().name("Dental Clinic")).getApiKey())
                .baseUrl(apiUrl).build();
        io.parley.sdk.model.BookingSettings hours = new io.parley.sdk.model.BookingSettings().timeZone("Europe/London").slotMinutes(30);
        for (String day : List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")) {
            hours.putHoursItem(day, List.of(new io.parley.sdk.model.OpeningHours().start("09:00").end("17:00")));
        }
        Persona receptionist = parley.personas().create(new CreatePersonaRequest().template("receptionist")
                .firstMessage("Good morning, Bright Smile Dental. How can I help you today?")
                .booking(hours)
                .voice(new Voice().provider(VoiceProvider.OFFLINE).voiceId("kevin16")));
        assertThat(receptionist.getKind()).isEqualTo(PersonaKind.RECEPTIONIST);
        var line = parley.phoneNumbers().create("+14155550170", receptionist.getId());

        List<String> says = List.of("Book an appointment, please.", "Tomorrow at ten.", "Yes.", "Goodbye.");
        Call first = parley.phoneNumbers().testCall(line.getId(), new CreateTestCallRequest().from("+14155550101").say(says));
        Call second = parley.phoneNumbers().testCall(line.getId(), new CreateTestCallRequest().from("+14155550102").say(says));
        assertThat(first.getDirection()).isEqualTo(Call.DirectionEnum.INBOUND);

        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        for (Call call : List.of(first, second)) {
            for (Call now = parley.calls().get(call.getId()); now.getStatus() != CallStatus.COMPLETED; now = parley.calls().get(call.getId())) {
                assertThat(now.getStatus()).as("the call so far: %s; logs in %s", now, LOGS.toAbsolutePath()).isEqualTo(CallStatus.IN_PROGRESS);
                assertThat(Instant.now()).as("completed within 3 minutes; logs in %s", LOGS.toAbsolutePath()).isBefore(deadline);
                Thread.sleep(500);
            }
        }

        java.time.LocalDate tomorrow = java.time.LocalDate.now(java.time.ZoneId.of("Europe/London")).plusDays(1);
        String slot = tomorrow.format(java.time.format.DateTimeFormatter.ofPattern("EEEE d MMMM", java.util.Locale.ENGLISH)) + " at 10 a.m.";
        List<String> booked = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> transcripts = new ArrayList<>();
        for (Call call : List.of(first, second)) {
            List<CallEvent> turns = awaitEvents(parley, call.getId(), "call.turn", 6);
            List<String> bot = turns.stream().filter(t -> "bot".equals(t.getData().get("speaker"))).map(t -> (String) t.getData().get("text")).toList();
            List<String> caller = turns.stream().filter(t -> "caller".equals(t.getData().get("speaker"))).map(t -> (String) t.getData().get("text")).toList();
            String said = String.join(" | ", bot);
            transcripts.add(said + " <- caller: " + caller);
            assertThat(bot.getFirst()).startsWith("This call uses an AI voice.").contains("Bright Smile Dental");
            assertThat(said).as("the receptionist read the time back (the caller was heard as %s)", caller)
                    .contains(slot + " is free. Shall I book it for you?");
            if (said.contains("You are booked for " + slot)) booked.add(said);
            if (said.contains("Sorry, " + slot + " has just been taken") || said.contains("Sorry, 10 a.m. is not free on")) refused.add(said);
            List<String> tools = parley.calls().events(call.getId(), "call.tool_called", io.parley.sdk.ListParams.builder().limit(100).build())
                    .getData().stream().map(e -> (String) e.getData().get("name")).toList();
            assertThat(tools).as("the scripted receptionist used the platform's tools").contains("check_availability", "book_appointment");
        }
        assertThat(booked).as("one call booked the slot: %s", transcripts).hasSize(1);
        assertThat(refused).as("the other was refused it: %s", transcripts).hasSize(1);

        List<io.parley.sdk.model.Booking> bookings = parley.bookings().list(receptionist.getId(), io.parley.sdk.ListParams.builder().limit(10).build())
                .getData();
        assertThat(bookings).as("exactly one booking of the slot").singleElement().satisfies(b -> {
            assertThat(b.getStart().atZoneSameInstant(java.time.ZoneId.of("Europe/London")).toLocalDateTime())
                    .isEqualTo(tomorrow.atTime(10, 0));
            assertThat(b.getCallId()).isIn(first.getId(), second.getId());
        });
    }

    private static List<CallEvent> awaitEvents(Parley parley, UUID callId, String type, int atLeast) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            List<CallEvent> events = parley.calls().events(callId, type, io.parley.sdk.ListParams.builder().limit(100).build()).getData();
            if (events.size() >= atLeast) return events;
            assertThat(Instant.now()).as("%d %s events within 30 s, got %s", atLeast, type, events).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    private static Process start(String name, String jar, Map<String, String> env, String... args) throws IOException {
        assertThat(jar).as("the %s jar (set by the build)", name).isNotBlank();
        assertThat(Path.of(jar)).as("the %s jar", name).exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "--enable-native-access=ALL-UNNAMED", "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(LOGS.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void awaitHealthy(String base, Process process, String name) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            assertThat(process.isAlive()).as("%s is running (see %s)", name, LOGS.resolve(name + ".log").toAbsolutePath()).isTrue();
            assertThat(Instant.now()).as("%s healthy within 3 minutes", name).isBefore(deadline);
            try {
                HttpResponse<Void> health = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
