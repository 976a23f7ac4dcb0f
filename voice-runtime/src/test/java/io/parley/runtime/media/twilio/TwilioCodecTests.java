package io.parley.runtime.media.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.runtime.media.twilio.TwilioProtocolException.Reason;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TwilioCodecTests {

    // shapes as Twilio documents them (websocket-messages), numbers as strings
    static final String START = """
            {"event":"start","sequenceNumber":"1","start":{"accountSid":"ACxx","streamSid":"MZ1","callSid":"CA1",
            "tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
            "customParameters":{"token":"abc","n":5}},"streamSid":"MZ1"}""";
    static final String MEDIA = """
            {"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"/w=="},"streamSid":"MZ1"}""";

    @Test
    void readsEveryInboundEvent() {
        assertThat(TwilioCodec.read("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"))
                .isEqualTo(new TwilioMessage.Connected("Call", "1.0.0"));

        TwilioMessage.Start start = (TwilioMessage.Start) TwilioCodec.read(START);
        assertThat(start.streamSid()).isEqualTo("MZ1");
        assertThat(start.callSid()).isEqualTo("CA1");
        assertThat(start.customParameters()).containsExactly(java.util.Map.entry("token", "abc"));
        assertThat(start.sampleRate()).isEqualTo(8000);

        TwilioMessage.Media media = (TwilioMessage.Media) TwilioCodec.read(MEDIA);
        assertThat(media.chunk()).isEqualTo(1);
        assertThat(media.timestampMillis()).isEqualTo(5);
        assertThat(media.payload()).containsExactly((byte) 0xFF);

        assertThat(TwilioCodec.read("{\"event\":\"dtmf\",\"sequenceNumber\":\"4\",\"streamSid\":\"MZ1\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"#\"}}"))
                .isEqualTo(new TwilioMessage.Dtmf(4, "MZ1", "#"));
        assertThat(TwilioCodec.read("{\"event\":\"mark\",\"sequenceNumber\":\"5\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m1\"}}"))
                .isEqualTo(new TwilioMessage.Mark(5, "MZ1", "m1"));
        assertThat(TwilioCodec.read("{\"event\":\"stop\",\"sequenceNumber\":\"6\",\"streamSid\":\"MZ1\",\"stop\":{\"accountSid\":\"AC\",\"callSid\":\"CA1\"}}"))
                .isEqualTo(new TwilioMessage.Stop(6, "MZ1", "CA1"));
    }

    @Test
    void classifiesWhatIsWrong() {
        assertReason("{oops", Reason.NOT_JSON);
        assertReason("[1,2]", Reason.NOT_JSON);
        assertReason("{\"event\":\"dance\"}", Reason.UNKNOWN_EVENT);
        assertReason("{\"event\":\"media\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\"}", Reason.MISSING_FIELD);
        assertReason(MEDIA.replace("\"chunk\":\"1\"", "\"chunk\":\"one\""), Reason.MISSING_FIELD);
        assertReason(MEDIA.replace("/w==", "%%%"), Reason.BAD_PAYLOAD);
        assertReason(MEDIA.replace("/w==", "A".repeat(8000)), Reason.TOO_LARGE);
        assertReason("{\"event\":\"connected\",\"pad\":\"" + "x".repeat(TwilioCodec.MAX_FRAME_CHARS) + "\"}", Reason.TOO_LARGE);
        assertReason("{}", Reason.MISSING_FIELD);
    }

    @Test
    void writesOutboundMessagesTwilioAccepts() {
        JsonMapper json = JsonMapper.builder().build();
        var media = json.readTree(TwilioCodec.media("MZ\"1", new byte[] {1, 2, 3, 4}, 1, 2));
        assertThat(media.get("event").asString()).isEqualTo("media");
        assertThat(media.get("streamSid").asString()).isEqualTo("MZ\"1");
        assertThat(java.util.Base64.getDecoder().decode(media.get("media").get("payload").asString())).containsExactly(2, 3);
        assertThat(json.readTree(TwilioCodec.mark("MZ1", "a\"b")).get("mark").get("name").asString()).isEqualTo("a\"b");
        assertThat(json.readTree(TwilioCodec.clear("MZ1")).get("event").asString()).isEqualTo("clear");
    }

    /** Fuzz: mutated frames only ever parse or fail with our exception, never anything else. */
    @Test
    void mutatedFramesNeverThrowAnythingButAProtocolException() {
        Random random = new Random(42);
        List<String> seeds = List.of(START, MEDIA, "{\"event\":\"mark\",\"sequenceNumber\":\"5\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m1\"}}");
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            char[] frame = seeds.get(random.nextInt(seeds.size())).toCharArray();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                frame[random.nextInt(frame.length)] = (char) (random.nextBoolean() ? random.nextInt(128) : "{}[]\":,0aA\\".charAt(random.nextInt(11)));
            }
            try {
                TwilioCodec.read(new String(frame));
                parsed++;
            } catch (TwilioProtocolException expected) {
                refused++;
            }
        }
        assertThat(parsed).isPositive();
        assertThat(refused).isPositive();
    }

    /**
     * Fuzz: the fast path for media frames reads exactly what the general reader reads, in any field
     * order, with numbers as strings or not, extra fields, and after random damage.
     */
    @Test
    void theFastMediaPathAgreesWithTheGeneralReader() {
        Random random = new Random(7);
        List<String> seeds = List.of(MEDIA,
                "{\"streamSid\":\"MZ9\",\"media\":{\"payload\":\"AAEC/w==\",\"timestamp\":40,\"chunk\":3,\"extra\":[1,{}]},\"sequenceNumber\":7,\"event\":\"media\",\"x\":null}",
                "{\"event\":\"media\",\"event\":\"mark\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"1\",\"payload\":\"AA==\"}}");
        int fast = 0;
        for (int i = 0; i < 20_000; i++) {
            char[] frame = seeds.get(random.nextInt(seeds.size())).toCharArray();
            int edits = random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                frame[random.nextInt(frame.length)] = (char) (random.nextBoolean() ? random.nextInt(128) : "{}[]\":,0aA\\".charAt(random.nextInt(11)));
            }
            String text = new String(frame);
            Object viaRead = outcome(() -> TwilioCodec.read(text));
            Object viaTree = outcome(() -> TwilioCodec.readTree(text));
            assertThat(viaRead).as(text).isEqualTo(viaTree);
            if (viaRead instanceof List<?>) fast++;
        }
        assertThat(fast).as("well-formed media frames seen").isGreaterThan(1_000);
    }

    /** A comparable view of what reading a frame gives: a media frame's fields, another message, or the refusal's reason. */
    private static Object outcome(java.util.function.Supplier<TwilioMessage> read) {
        try {
            TwilioMessage message = read.get();
            if (message instanceof TwilioMessage.Media m) {
                return List.of(m.sequence(), m.streamSid(), String.valueOf(m.track()), m.chunk(), m.timestampMillis(),
                        java.util.HexFormat.of().formatHex(m.payload()));
            }
            return message;
        } catch (TwilioProtocolException e) {
            return e.reason();
        }
    }

    private static void assertReason(String frame, Reason reason) {
        assertThatThrownBy(() -> TwilioCodec.read(frame))
                .isInstanceOfSatisfying(TwilioProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
