package io.parley.runtime.llm.sse;

/**
 * One server-sent event as dispatched by {@link SseReader}.
 *
 * @param type the {@code event:} field, {@code "message"} when the event had none
 * @param data the {@code data:} lines joined with {@code \n}
 */
public record SseEvent(String type, String data) {}
