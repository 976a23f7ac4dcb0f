package io.parley.platform.telephony.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.telephony.Telephony;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The Twilio adapter, through twilio-java, against Prism serving Twilio's own OpenAPI spec: every request it sends
 * must satisfy Twilio's contract (Prism answers 422 to one that does not), and the test reads what was sent.
 */
class TwilioTelephonyContractTests {

    static final String ACCOUNT = "AC" + "0123456789abcdef0123456789abcdef";
    static PrismTwilio prism;
    static LettuceConnectionFactory connections;
    static StringRedisTemplate redis;

    TwilioTelephony twilio;
    TwilioAnswers answers;

    @BeforeAll
    static void startPrism() throws Exception {
        prism = PrismTwilio.start();
        connections = new LettuceConnectionFactory("127.0.0.1", 6379);
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
    }

    @AfterAll
    static void stopPrism() {
        if (prism != null) prism.close();
        if (connections != null) connections.destroy();
    }

    private TwilioTelephony twilio(boolean machineDetection) {
        ParleyProperties.Twilio settings = new ParleyProperties.Twilio(ACCOUNT, "test-auth-token", "+14155550142",
                URI.create("https://parley.example/"), prism.url(), machineDetection, Duration.ofSeconds(25), Duration.ofMinutes(20),
                Duration.ofMinutes(1), Duration.ofDays(7));
        answers = new TwilioAnswers(redis, Duration.ofMinutes(5));
        return new TwilioTelephony(TwilioTelephony.client(settings), settings, answers);
    }

    private static Telephony.Dial dial(String to, String voicemail) {
        return dial(to, voicemail, false);
    }

    private static Telephony.Dial dial(String to, String voicemail, boolean record) {
        return new Telephony.Dial(UUID.randomUUID(), UUID.randomUUID(), new TenantId(UUID.randomUUID()), Mode.LIVE, "+14155550142", to,
                Instant.now(), "call-token", voicemail, record);
    }

    private static Map<String, List<String>> form(String body) {
        return Arrays.stream(body.split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.groupingBy(p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        Collectors.mapping(p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8), Collectors.toList())));
    }

    private PrismTwilio.Exchange last() {
        List<PrismTwilio.Exchange> all = prism.exchanges();
        return all.getLast();
    }

    @Test
    void aDialCreatesTheCallWithAnswerAndStatusWebhooksThatNameTheAttempt() throws Exception {
        TwilioTelephony twilio = twilio(true);
        Telephony.Dial dial = dial("+14155550123", "Sorry we missed you. Santa will call again.");

        Telephony.Placed placed = twilio.dial(dial);

        PrismTwilio.Exchange create = last();
        assertThat(create.status()).as("Prism's verdict on the request: %s", create).isEqualTo(201);
        assertThat(placed.providerCallId()).startsWith("CA");
        assertThat(create.method()).isEqualTo("POST");
        assertThat(create.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json");
        Map<String, List<String>> sent = form(create.body());
        assertThat(sent.get("To")).containsExactly("+14155550123");
        assertThat(sent.get("From")).containsExactly("+14155550142");
        assertThat(sent.get("Url")).containsExactly("https://parley.example/webhooks/twilio/answer?attempt=" + dial.attemptId());
        assertThat(sent.get("Method")).containsExactly("POST");
        assertThat(sent.get("StatusCallback")).containsExactly("https://parley.example/webhooks/twilio/status?attempt=" + dial.attemptId());
        assertThat(sent.get("StatusCallbackEvent")).containsExactlyInAnyOrder("initiated", "ringing", "answered", "completed");
        assertThat(sent.get("Timeout")).containsExactly("25");
        // a message to leave: Twilio waits for the beep before it asks the answer webhook
        assertThat(sent.get("MachineDetection")).containsExactly("DetectMessageEnd");
        // the token and the message wait for the answer webhook, not in any URL
        assertThat(create.body()).doesNotContain("call-token");
        assertThat(answers.find(dial.attemptId())).contains(new TwilioAnswers.Answer("call-token", "Sorry we missed you. Santa will call again."));
    }

    @Test
    void withoutAMessageAMachineIsDetectedAtOnceAndWithDetectionOffItIsNotAsked() throws Exception {
        twilio(true).dial(dial("+14155550124", null));
        assertThat(form(last().body()).get("MachineDetection")).containsExactly("Enable");

        twilio(false).dial(dial("+14155550125", null));
        assertThat(last().status()).isEqualTo(201);
        assertThat(form(last().body())).doesNotContainKey("MachineDetection");
    }

    @Test
    void aRecordedCallAsksTwilioToRecordAndCallBackWhenTheRecordingIsReady() throws Exception {
        Telephony.Dial dial = dial("+14155550127", null, true);
        twilio(true).dial(dial);
        PrismTwilio.Exchange create = last();
        assertThat(create.status()).as("%s", create).isEqualTo(201);
        Map<String, List<String>> sent = form(create.body());
        assertThat(sent.get("Record")).containsExactly("true");
        assertThat(sent.get("RecordingStatusCallback")).containsExactly("https://parley.example/webhooks/twilio/recording?attempt=" + dial.attemptId());

        twilio(true).dial(dial("+14155550128", null, false));
        assertThat(form(last().body())).doesNotContainKeys("Record", "RecordingStatusCallback");
    }

    @Test
    void aRecordingIsFetchedAsAWavAndDeletedAtTwilio() {
        TwilioTelephony twilio = twilio(true);
        String recording = "RE" + "0123456789abcdef0123456789abcdef";
        assertThat(twilio.download("https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + recording))
                .isEqualTo(PrismTwilio.RECORDING);
        twilio.deleteRecording(recording);
        PrismTwilio.Exchange delete = last();
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + recording + ".json");
        assertThat(delete.status()).as("%s", delete).isEqualTo(204);

        twilio.record("CA" + "fedcba9876543210fedcba9876543210");
        PrismTwilio.Exchange start = last();
        assertThat(start.status()).as("what Twilio's spec answers: %s", start).isEqualTo(200);
        assertThat(start.path()).endsWith("/Calls/CAfedcba9876543210fedcba9876543210/Recordings.json");
        assertThat(form(start.body()).get("RecordingStatusCallback")).containsExactly("https://parley.example/webhooks/twilio/recording");
    }

    @Test
    void anInvalidNumberIsRefusedAndAnUnavailableTwilioLeavesTheOutcomeUnknown() {
        TwilioTelephony twilio = twilio(true);
        assertThatThrownBy(() -> twilio.dial(dial(PrismTwilio.INVALID_NUMBER, null)))
                .isInstanceOf(Telephony.Refused.class)
                .hasMessageContaining("21217");
        assertThatThrownBy(() -> twilio.dial(dial(PrismTwilio.UNAVAILABLE_NUMBER, null)))
                .isNotInstanceOf(Telephony.Refused.class)
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void theReconcilerFindsACallByItsNumberOnlyIfItWasCreatedAfterTheDial() {
        TwilioTelephony twilio = twilio(true);
        // Prism answers with the spec's example call, created in the past
        assertThat(twilio.find(UUID.randomUUID(), "+14155550126", Instant.parse("2000-01-01T00:00:00Z"))).isPresent()
                .get().extracting(Telephony.Placed::providerCallId).asString().startsWith("CA");
        PrismTwilio.Exchange list = last();
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.method()).isEqualTo("GET");
        assertThat(list.query()).contains("To=%2B14155550126");

        assertThat(twilio.find(UUID.randomUUID(), "+14155550126", Instant.now())).isEmpty();
    }

    @Test
    void aCallIsHungUpAndFetchedAsTwilioSpecifies() {
        TwilioTelephony twilio = twilio(true);
        String sid = "CA" + "fedcba9876543210fedcba9876543210";
        twilio.hangUp(sid);
        PrismTwilio.Exchange update = last();
        assertThat(update.status()).as("%s", update).isEqualTo(200);
        assertThat(update.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Calls/" + sid + ".json");
        assertThat(form(update.body()).get("Status")).containsExactly("completed");

        assertThat(twilio.fetch(sid).getSid()).startsWith("CA");
        assertThat(last().status()).isEqualTo(200);
    }

    @Test
    void aCallIsPutThroughToANumberByRedirectingItToTwimlThatDialsIt() {
        TwilioTelephony twilio = twilio(true);
        String sid = "CA" + "0123456789abcdef0123456789abcdef";
        twilio.transfer(sid, "+18002738255");
        PrismTwilio.Exchange update = last();
        assertThat(update.status()).as("%s", update).isEqualTo(200);
        assertThat(update.method()).isEqualTo("POST");
        assertThat(update.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Calls/" + sid + ".json");
        assertThat(form(update.body()).get("Twiml")).singleElement().asString()
                .contains("<Response><Dial><Number>+18002738255</Number></Dial></Response>");
    }
}
