package io.parley.runtime.llm.sse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pull parser for a {@code text/event-stream} body (the WHATWG server-sent events format): lines end in
 * {@code \n}, {@code \r\n} or {@code \r}; {@code field: value} lines; {@code :} starts a comment; a blank
 * line dispatches the event. Only {@code event} and {@code data} are kept ({@code id} and {@code retry}
 * mean nothing for a one-shot POST). An event cut off by the end of the stream is dropped, as the
 * specification says.
 *
 * <p>{@link #next()} returns as soon as an event's blank line has arrived: it reads whatever the stream
 * has ({@link InputStream#read(byte[], int, int)} returns what is available) and never waits to fill a
 * buffer, so each token reaches the caller as soon as the server flushed it. Not thread-safe.
 */
public final class SseReader {

    /** Longest line accepted; a longer one fails the read rather than eating memory. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private byte[] line = new byte[512];
    private int lineLength;
    private boolean skipLineFeed;
    private boolean firstLine = true;
    private boolean ended;

    public SseReader(InputStream in) {
        this(in, DEFAULT_MAX_LINE_BYTES);
    }

    public SseReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next event, blocking until it is complete; {@code null} once the stream has ended. */
    public SseEvent next() throws IOException {
        String type = null;
        StringBuilder data = null;
        while (true) {
            String text = readLine();
            if (text == null) {
                return null;
            }
            if (text.isEmpty()) {
                if (data != null) {
                    return new SseEvent(type == null || type.isEmpty() ? "message" : type, data.toString());
                }
                type = null;
                continue;
            }
            if (text.charAt(0) == ':') {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = "";
            if (colon >= 0) {
                int start = colon + 1 < text.length() && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
                value = text.substring(start);
            }
            switch (field) {
                case "event" -> type = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> { } // id, retry and unknown fields
            }
        }
    }

    private String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit) {
                if (ended) {
                    return null;
                }
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    ended = true;
                    return null; // a partial last line belongs to an unfinished event: dropped
                }
                position = 0;
                limit = n;
                continue;
            }
            byte b = buffer[position++];
            if (skipLineFeed) {
                skipLineFeed = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLineFeed = b == '\r';
                return decodeLine();
            }
            if (lineLength == line.length) {
                if (lineLength >= maxLineBytes) {
                    throw new IOException("event-stream line longer than " + maxLineBytes + " bytes");
                }
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[lineLength++] = b;
        }
    }

    private String decodeLine() {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        if (firstLine) {
            firstLine = false;
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
        }
        return text;
    }
}
