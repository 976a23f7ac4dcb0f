package io.parley.runtime.llm.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SseReaderTests {

    private static List<SseEvent> readAll(InputStream in) throws IOException {
        SseReader reader = new SseReader(in);
        List<SseEvent> events = new ArrayList<>();
        SseEvent event;
        while ((event = reader.next()) != null) {
            events.add(event);
        }
        return events;
    }

    private static List<SseEvent> readAll(String text) throws IOException {
        return readAll(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Hands out one byte per read: every boundary, including inside a UTF-8 character and between CR and LF. */
    private static InputStream trickle(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= bytes.length) return -1;
                b[off] = bytes[at++];
                return 1;
            }
        };
    }

    @Test
    void readsEventNamesAndDataWithEveryLineEnding() throws IOException {
        String stream = "event: message_start\ndata: {\"a\":1}\n\n"
                + "data: {\"b\":2}\r\n\r\n"
                + "event:ping\rdata:{\"c\":3}\r\r"
                + "data: [DONE]\n\n";

        assertThat(readAll(stream)).containsExactly(
                new SseEvent("message_start", "{\"a\":1}"),
                new SseEvent("message", "{\"b\":2}"),
                new SseEvent("ping", "{\"c\":3}"),
                new SseEvent("message", "[DONE]"));
    }

    @Test
    void joinsDataLinesSkipsCommentsAndOtherFieldsAndKeepsMultibyteCharactersWhole() throws IOException {
        String stream = "\uFEFF: keep-alive comment\n\n"
                + "id: 7\nretry: 100\ndata: first\ndata:  second with a leading space\n\n"
                + "event: lonely-name-without-data\n\n"
                + "data: Grüße, 你好 🎄\r\n\r\n";

        assertThat(readAll(trickle(stream))).containsExactly(
                new SseEvent("message", "first\n second with a leading space"),
                new SseEvent("message", "Grüße, 你好 🎄"));
    }

    @Test
    void dropsAnEventCutOffByTheEndOfTheStream() throws IOException {
        assertThat(readAll("data: complete\n\ndata: {\"half\":")).containsExactly(new SseEvent("message", "complete"));
        assertThat(readAll("data: no blank line after me\n")).isEmpty();
    }

    @Test
    void returnsAnEventAsSoonAsItsBlankLineArrivesWithoutWaitingForMore() throws Exception {
        PipedOutputStream server = new PipedOutputStream();
        PipedInputStream client = new PipedInputStream(server, 1024);
        SseReader reader = new SseReader(client);
        CompletableFuture<SseEvent> first = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.next();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        server.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        server.flush();

        assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo(new SseEvent("message", "one")); // the stream is still open
        server.close();
    }

    @Test
    void refusesAnEndlessLine() {
        byte[] huge = ("data: " + "x".repeat(5_000)).getBytes(StandardCharsets.UTF_8);
        SseReader reader = new SseReader(new ByteArrayInputStream(huge), 1_024);

        assertThatThrownBy(reader::next).isInstanceOf(IOException.class).hasMessageContaining("longer than 1024 bytes");
    }
}
