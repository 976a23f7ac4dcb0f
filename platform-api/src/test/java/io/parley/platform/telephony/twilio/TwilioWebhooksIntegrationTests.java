package io.parley.platform.telephony.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Twilio's webhooks as Twilio sends them, signed with X-Twilio-Signature: status callbacks applied once and in
 * order (duplicates by Twilio's idempotency token, reordering, a callback that outruns the create's answer), the
 * answer webhook's TwiML for a person and for a machine, unsigned or mis-signed requests refused, and the
 * reconciler asking Twilio (Prism serving Twilio's spec) about a call whose callbacks never came.
 */
class TwilioWebhooksIntegrationTests extends IntegrationTest {

    static final String ACCOUNT = "AC" + "0123456789abcdef0123456789abcdef";
    static final String TOKEN = "webhook-test-auth-token";
    static final String PUBLIC_URL = "https://parley.example";
    static PrismTwilio prism;

    @DynamicPropertySource
    static void twilio(DynamicPropertyRegistry registry) throws Exception {
        prism = PrismTwilio.start();
        registry.add("parley.telephony.twilio.account-sid", () -> ACCOUNT);
        registry.add("parley.telephony.twilio.auth-token", () -> TOKEN);
        registry.add("parley.telephony.twilio.from", () -> "+14155550142");
        registry.add("parley.telephony.twilio.public-url", () -> PUBLIC_URL);
        registry.add("parley.telephony.twilio.api-url", () -> prism.url().toString());
        registry.add("parley.telephony.twilio.reconcile-every", () -> "1h");
        registry.add("parley.runtime.stream-url", () -> "wss://runtime.parley.example/media-stream");
        registry.add("parley.runtime.call-token-secret", () -> "twilio-webhooks-test-call-token-secret-0123456789");
    }

    @AfterAll
    static void stopPrism() {
        if (prism != null) prism.close();
    }

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private TwilioAnswers answers;
    @Autowired
    private TwilioCallbacks callbacks;
    @Autowired
    private org.springframework.data.redis.core.StringRedisTemplate redis;
    @Autowired
    private io.parley.platform.tenancy.ApiKeyService apiKeys;

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void tenantAndPersona() {
        tenant = newTenant();
        persona = createPersona(tenant, "Santa").get("id").asString();
    }

    /** A call dialled through Twilio by hand, up to the point where Twilio would start calling back. */
    private DispatchLedger.Begun dialled(String to) {
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", to)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return dialByHand(created.json().get("id").asString(), TwilioTelephony.CARRIER, null, null);
    }

    private static String sid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    private ApiClient.Response webhook(String what, UUID attempt, Map<String, String> params, String idempotencyToken, String signature) {
        String path = "/webhooks/twilio/" + what + (attempt == null ? "" : "?attempt=" + attempt);
        String form = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        ApiClient client = anonymous();
        if (signature != null) client = client.withHeader("X-Twilio-Signature", signature);
        if (idempotencyToken != null) client = client.withHeader("I-Twilio-Idempotency-Token", idempotencyToken);
        return client.send("POST", path, form, "application/x-www-form-urlencoded");
    }

    private ApiClient.Response signed(String what, UUID attempt, Map<String, String> params, String idempotencyToken) {
        return webhook(what, attempt, params, idempotencyToken,
                TwilioSigner.sign(TOKEN, PUBLIC_URL + "/webhooks/twilio/" + what + (attempt == null ? "" : "?attempt=" + attempt), params));
    }

    private static Map<String, String> status(String sid, String callStatus) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", ACCOUNT);
        params.put("CallSid", sid);
        params.put("CallStatus", callStatus);
        params.put("From", "+14155550142");
        params.put("To", "+14155550123");
        params.put("Direction", "outbound-api");
        params.put("ApiVersion", "2010-04-01");
        params.put("Timestamp", "Fri, 04 Dec 2026 07:00:00 +0000");
        return params;
    }

    /** A form body as name → value (the last of repeated names). */
    static final class URLDecoderForm {
        static Map<String, String> decode(String body) {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : body.split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            return form;
        }
    }

    private List<String> types(UUID call) {
        return eventTypes(tenant, call);
    }

    private String callStatus(UUID call) {
        return tenant.api().get("/v1/calls/" + call).json().get("status").asString();
    }

    @Test
    void statusCallbacksSentTwiceOrOutOfOrderAreAppliedOnceAndInOrder() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();
        assertThat(ledger.placed(begun.tenant(), begun.attemptId(), sid, Instant.now())).isTrue();

        assertThat(signed("status", begun.attemptId(), status(sid, "initiated"), "tok-1").status()).isEqualTo(204);
        assertThat(signed("status", begun.attemptId(), status(sid, "ringing"), "tok-2").status()).isEqualTo(204);
        assertThat(signed("status", begun.attemptId(), status(sid, "ringing"), "tok-2").status()).as("sent again").isEqualTo(204);
        // completed overtakes in-progress: the call walks through the answer it implies
        assertThat(signed("status", begun.attemptId(), status(sid, "completed"), "tok-4-" + sid).status()).isEqualTo(204);
        assertThat(signed("status", begun.attemptId(), status(sid, "in-progress"), "tok-3-" + sid).status()).isEqualTo(204);
        assertThat(signed("status", begun.attemptId(), status(sid, "completed"), "tok-4-" + sid).status()).isEqualTo(204);

        assertThat(callStatus(begun.callId())).isEqualTo("completed");
        assertThat(types(begun.callId())).containsExactly("call.created", "call.dialing", "call.ringing", "call.in_progress", "call.completed");
        assertThat(ownerCount("carrier_webhook_receipts where token = 'tok-4-" + sid + "'")).isEqualTo(1);
    }

    @Test
    void aCallbackThatOutrunsTheCreatesAnswerFindsItsAttemptByTheUrl() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();   // the dispatcher has not recorded it yet

        assertThat(signed("status", begun.attemptId(), status(sid, "busy"), "tok-" + sid).status()).isEqualTo(204);

        assertThat(callStatus(begun.callId())).isEqualTo("scheduled");   // busy is retried by default
        assertThat(types(begun.callId())).containsExactly("call.created", "call.dialing", "call.retry_scheduled");
        assertThat(ledger.placed(begun.tenant(), begun.attemptId(), sid, Instant.now())).as("the same id, recorded once").isTrue();
    }

    @Test
    void aPersonIsConnectedToTheVoiceRuntimeWithTheCallToken() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();
        answers.save(begun.attemptId(), new TwilioAnswers.Answer("the-call-token", "Sorry I missed you!"));
        Map<String, String> params = status(sid, "in-progress");
        params.put("AnsweredBy", "human");

        ApiClient.Response answered = signed("answer", begun.attemptId(), params, null);

        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(answered.contentType()).startsWith("application/xml");
        assertThat(answered.body()).contains("<Connect><Stream url=\"wss://runtime.parley.example/media-stream\">"
                + "<Parameter name=\"token\" value=\"the-call-token\"/></Stream></Connect>");
        assertThat(answered.body()).doesNotContain("Say");
        assertThat(callStatus(begun.callId())).isEqualTo("in_progress");
    }

    @Test
    void aMachineHearsThePersonasMessageAndTheCallEndsAsVoicemail() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();
        answers.save(begun.attemptId(), new TwilioAnswers.Answer("the-call-token", "Ho ho ho, sorry I missed you!"));
        Map<String, String> answer = status(sid, "in-progress");
        answer.put("AnsweredBy", "machine_end_beep");

        ApiClient.Response answered = signed("answer", begun.attemptId(), answer, null);

        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.body()).contains("<Say>Ho ho ho, sorry I missed you!</Say><Hangup/>").doesNotContain("Stream");
        // the completed callback carries no AnsweredBy: what the answer learnt decides the outcome
        assertThat(signed("status", begun.attemptId(), status(sid, "completed"), "tok-" + sid).status()).isEqualTo(204);
        assertThat(types(begun.callId())).containsExactly("call.created", "call.dialing", "call.in_progress", "call.voicemail");
    }

    @Test
    void malformedWebhooksAreProblemsNotErrors() {
        Map<String, String> params = status(sid(), "completed");
        String url = PUBLIC_URL + "/webhooks/twilio/status?attempt=not-a-uuid";
        ApiClient.Response badAttempt = anonymous().withHeader("X-Twilio-Signature", TwilioSigner.sign(TOKEN, url, params))
                .send("POST", "/webhooks/twilio/status?attempt=not-a-uuid", "AccountSid=" + ACCOUNT + "&CallStatus=completed",
                        "application/x-www-form-urlencoded");
        ApiClient.Response json = anonymous().send("POST", "/webhooks/twilio/status", "{}", "application/json");
        for (ApiClient.Response refused : List.of(badAttempt, json)) {
            assertThat(refused.status()).as(refused.body()).isBetween(400, 499);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void anAnswerNothingIsKnownOfIsHungUp() {
        ApiClient.Response answered = signed("answer", UUID.randomUUID(), status(sid(), "in-progress"), null);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.body()).contains("<Hangup/>").doesNotContain("Stream");
    }

    @Test
    void unsignedMisSignedOrForeignWebhooksAreRefusedAndChangeNothing() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();
        ledger.placed(begun.tenant(), begun.attemptId(), sid, Instant.now());
        Map<String, String> completed = status(sid, "completed");

        ApiClient.Response unsigned = webhook("status", begun.attemptId(), completed, null, null);
        ApiClient.Response wrongKey = webhook("status", begun.attemptId(), completed, null,
                TwilioSigner.sign("another-token", PUBLIC_URL + "/webhooks/twilio/status?attempt=" + begun.attemptId(), completed));
        ApiClient.Response otherAttempt = webhook("status", UUID.randomUUID(), completed, null,
                TwilioSigner.sign(TOKEN, PUBLIC_URL + "/webhooks/twilio/status?attempt=" + begun.attemptId(), completed));
        Map<String, String> tampered = new LinkedHashMap<>(completed);
        tampered.put("CallStatus", "busy");
        ApiClient.Response altered = webhook("status", begun.attemptId(), tampered, null,
                TwilioSigner.sign(TOKEN, PUBLIC_URL + "/webhooks/twilio/status?attempt=" + begun.attemptId(), completed));
        Map<String, String> foreign = new LinkedHashMap<>(completed);
        foreign.put("AccountSid", "AC" + "ffffffffffffffffffffffffffffffff");
        ApiClient.Response otherAccount = signed("status", begun.attemptId(), foreign, null);
        ApiClient.Response answer = webhook("answer", begun.attemptId(), completed, null, "bm90IGEgc2lnbmF0dXJl");

        for (ApiClient.Response refused : List.of(unsigned, wrongKey, otherAttempt, altered, otherAccount, answer)) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body()).doesNotContain("Exception");
        }
        assertThat(callStatus(begun.callId())).isEqualTo("dialing");
    }

    @Test
    void thePersonasVoicemailMessageTravelsWithTheDialAndCanBeRemoved() {
        ApiClient.Response set = tenant.api().patch("/v1/personas/" + persona,
                ApiClient.json(Map.of("voicemailMessage", "  Ho ho ho! Sorry I missed you.  ")));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("voicemailMessage").asString()).isEqualTo("Ho ho ho! Sorry I missed you.");
        assertThat(dialled("+14155550123").snapshot().voicemailMessage()).isEqualTo("Ho ho ho! Sorry I missed you.");

        ApiClient.Response tooLong = tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("voicemailMessage", "x".repeat(501))));
        assertThat(tooLong.status()).as(tooLong.body()).isIn(400, 422);
        assertThat(tooLong.contentType()).startsWith("application/problem+json");

        ApiClient.Response removed = tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("voicemailMessage", "")));
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().has("voicemailMessage")).isFalse();
        assertThat(dialled("+14155550124").snapshot().voicemailMessage()).isNull();
    }

    @Test
    void aLiveNumberIsPointedAtParleyAndItsCallsAreAnsweredByItsPersona() {
        // a live key (an admin of the tenant makes one in the admin UI)
        ApiClient live = as(apiKeys.create(new io.parley.platform.tenancy.TenantId(tenant.id()), "live", io.parley.platform.tenancy.Mode.LIVE,
                List.of()).secret().value());
        String number = "+1415555" + String.format("%04d", (int) (Math.random() * 10_000));

        ApiClient.Response registered = live.post("/v1/phone-numbers", ApiClient.json(Map.of("phoneNumber", number, "personaId", persona)));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        assertThat(registered.json().get("carrier").asString()).isEqualTo("twilio");
        assertThat(registered.json().get("mode").asString()).isEqualTo("live");
        // the number was looked up in the account and pointed at Parley, as Twilio's spec has it
        PrismTwilio.Exchange update = prism.exchanges().getLast();
        assertThat(update.status()).as("%s", update).isEqualTo(200);
        assertThat(update.path()).startsWith("/2010-04-01/Accounts/" + ACCOUNT + "/IncomingPhoneNumbers/PN");
        assertThat(URLDecoderForm.decode(update.body())).containsEntry("VoiceUrl", PUBLIC_URL + "/webhooks/twilio/voice")
                .containsEntry("StatusCallback", PUBLIC_URL + "/webhooks/twilio/status").containsEntry("VoiceMethod", "POST");

        String sid = sid();
        Map<String, String> ringing = status(sid, "ringing");
        ringing.put("From", "+447700900123");
        ringing.put("To", number);
        ringing.put("Direction", "inbound");
        ApiClient.Response answered = signed("voice", null, ringing, null);
        ApiClient.Response again = signed("voice", null, ringing, null);

        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(answered.body()).contains("<Connect><Stream url=\"wss://runtime.parley.example/media-stream\"><Parameter name=\"token\" value=\"");
        assertThat(again.body()).as("Twilio asking again gets the same call").contains("<Connect>");
        JsonNode calls = tenant.api().get("/v1/calls").json().get("data");
        assertThat(calls).hasSize(1);
        JsonNode call = calls.get(0);
        assertThat(call.get("direction").asString()).isEqualTo("inbound");
        assertThat(call.get("to").asString()).isEqualTo("+447700900123");
        assertThat(call.get("mode").asString()).isEqualTo("live");
        assertThat(call.get("status").asString()).isEqualTo("in_progress");
        UUID callId = UUID.fromString(call.get("id").asString());
        assertThat(redis.opsForHash().get("call:" + callId, "bootstrap")).asString().contains("\"to\":\"+447700900123\"").contains(persona);

        // the number's status callback (no attempt in its URL) ends it
        Map<String, String> completed = status(sid, "completed");
        assertThat(signed("status", null, completed, "tok-" + sid).status()).isEqualTo(204);
        assertThat(callStatus(callId)).isEqualTo("completed");
        assertThat(types(callId)).containsExactly("call.received", "call.in_progress", "call.completed");
    }

    @Test
    void aCallToANumberParleyDoesNotAnswerIsRejected() {
        Map<String, String> ringing = status(sid(), "ringing");
        ringing.put("To", "+14155559876");
        ApiClient.Response answered = signed("voice", null, ringing, null);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.body()).contains("<Reject reason=\"rejected\"/>").doesNotContain("Connect");
    }

    @Test
    void aRecordedCallsRecordingIsFetchedKeptEncryptedAndDeletedAtTwilio() throws Exception {
        // the test persona is a Santa, whose calls are never recorded in child-safety mode
        assertThat(tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("childSafety", false))).status()).isEqualTo(200);
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+14155550123", "record", true)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        UUID callId = UUID.fromString(created.json().get("id").asString());
        String sid = sid();
        DispatchLedger.Begun begun = dialByHand(callId, TwilioTelephony.CARRIER, sid, Instant.now());
        signed("status", begun.attemptId(), status(sid, "completed"), "tok-c-" + sid);
        String recordingSid = "RE" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> ready = new LinkedHashMap<>();
        ready.put("AccountSid", ACCOUNT);
        ready.put("CallSid", sid);
        ready.put("RecordingSid", recordingSid);
        ready.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + recordingSid);
        ready.put("RecordingStatus", "completed");
        ready.put("RecordingDuration", "3");
        ready.put("RecordingChannels", "1");

        assertThat(signed("recording", begun.attemptId(), ready, "tok-r-" + sid).status()).isEqualTo(204);
        assertThat(signed("recording", begun.attemptId(), ready, "tok-r-" + sid).status()).as("sent again").isEqualTo(204);

        java.net.http.HttpResponse<byte[]> heard = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/v1/calls/" + callId + "/recording")).header("Authorization", "Bearer " + tenant.apiKey()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(heard.statusCode()).isEqualTo(200);
        assertThat(heard.body()).isEqualTo(PrismTwilio.RECORDING);
        assertThat(prism.exchanges()).filteredOn(e -> e.path().endsWith("/Recordings/" + recordingSid + ".wav")).as("fetched once").hasSize(1);
        assertThat(prism.exchanges()).filteredOn(e -> e.method().equals("DELETE") && e.path().endsWith("/Recordings/" + recordingSid + ".json"))
                .singleElement().extracting(PrismTwilio.Exchange::status).isEqualTo(204);
        assertThat(types(callId)).endsWith("call.completed", "recording.ready");
    }

    @Test
    void aCallWhoseCallbacksNeverCameIsLookedUpAtTwilio() {
        DispatchLedger.Begun begun = dialled("+14155550123");
        String sid = sid();
        // dialled long ago, and not a word from Twilio since
        assertThat(ledger.placed(begun.tenant(), begun.attemptId(), sid, Instant.now().minus(Duration.ofHours(1)))).isTrue();
        int fetchesBefore = (int) prism.exchanges().stream().filter(e -> e.path().endsWith("/Calls/" + sid + ".json")).count();

        callbacks.reconcile();

        assertThat(prism.exchanges().stream().filter(e -> e.path().endsWith("/Calls/" + sid + ".json") && e.status() == 200).count())
                .isEqualTo(fetchesBefore + 1);
        // Twilio's example call (what Prism serves) completed, answered by a machine
        JsonNode call = tenant.api().get("/v1/calls/" + begun.callId()).json();
        assertThat(call.get("status").asString()).isEqualTo("voicemail");
        assertThat(call.get("finalReason").asString()).isEqualTo("voicemail");
        assertThat(types(begun.callId())).startsWith("call.created", "call.dialing").endsWith("call.voicemail");
    }
}
