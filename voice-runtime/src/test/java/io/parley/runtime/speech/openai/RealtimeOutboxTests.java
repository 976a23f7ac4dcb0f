package io.parley.runtime.speech.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RealtimeOutboxTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static byte[] frame(int value) {
        byte[] frame = new byte[160];
        Arrays.fill(frame, (byte) value);
        return frame;
    }

    private static JsonNode next(RealtimeOutbox outbox) throws InterruptedException {
        String event = outbox.poll(10);
        return event == null ? null : JSON.readTree(event);
    }

    @Test
    void consecutiveAudioGoesOutAsOneAppendOfAtMostAHundredMillisecondsAndControlEventsKeepTheirPlace() throws Exception {
        RealtimeOutbox outbox = new RealtimeOutbox(16_000);
        for (int i = 0; i < 7; i++) outbox.audio(frame(i));
        outbox.control("{\"type\":\"response.create\"}");
        outbox.audio(frame(9));

        JsonNode first = next(outbox);
        assertThat(first.path("type").asString()).isEqualTo("input_audio_buffer.append");
        byte[] merged = Base64.getDecoder().decode(first.path("audio").asString());
        assertThat(merged).hasSize(RealtimeOutbox.MAX_APPEND_BYTES);
        assertThat(merged[0]).isEqualTo((byte) 0);
        assertThat(merged[799]).isEqualTo((byte) 4);
        assertThat(Base64.getDecoder().decode(next(outbox).path("audio").asString())).hasSize(320).startsWith(frame(5));
        assertThat(next(outbox).path("type").asString()).isEqualTo("response.create");
        assertThat(Base64.getDecoder().decode(next(outbox).path("audio").asString())).isEqualTo(frame(9));
        assertThat(next(outbox)).isNull();
    }

    @Test
    void whenTheAudioBoundIsReachedTheOldestAudioIsDroppedButNeverAControlEvent() throws Exception {
        RealtimeOutbox outbox = new RealtimeOutbox(480); // 60 ms
        outbox.audio(frame(1));
        outbox.control("{\"type\":\"response.cancel\"}");
        outbox.audio(frame(2));
        outbox.audio(frame(3));

        assertThat(outbox.audio(frame(4))).isEqualTo(160);
        assertThat(outbox.droppedBytes()).isEqualTo(160);
        assertThat(next(outbox).path("type").asString()).isEqualTo("response.cancel");
        byte[] kept = Base64.getDecoder().decode(next(outbox).path("audio").asString());
        assertThat(kept).hasSize(480).startsWith(frame(2));
        assertThat(kept[479]).isEqualTo((byte) 4);
    }

    @Test
    void aClosedOutboxTakesAndGivesNothing() throws Exception {
        RealtimeOutbox outbox = new RealtimeOutbox(16_000);
        outbox.audio(frame(1));
        outbox.close();
        outbox.control("{\"type\":\"response.create\"}");

        assertThat(outbox.poll(10)).isNull();
    }
}
