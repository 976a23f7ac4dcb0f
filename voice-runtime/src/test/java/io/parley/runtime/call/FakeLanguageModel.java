package io.parley.runtime.call;

import io.parley.runtime.llm.LanguageModel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake of our own model port (src/test only): asks for a tool when the caller says "book", answers
 * a tool's result with an apology, and otherwise says one short line. When the caller says "call me
 * back" it calls {@code schedule_callback} for tomorrow at six in London, and confirms once the result
 * is in. Records every request.
 */
final class FakeLanguageModel implements LanguageModel {

    final List<Request> requests = new CopyOnWriteArrayList<>();

    @Override
    public String id() {
        return "fake-llm";
    }

    @Override
    public Generation generate(Request request, Listener listener) {
        requests.add(request);
        Message last = request.messages().getLast();
        Thread.ofVirtual().start(() -> {
            if (last.role().equals("tool") && "schedule_callback".equals(last.toolName())) {
                for (String token : List.of("All set, ", "I will call you then.")) listener.token(token);
            } else if (last.role().equals("user") && last.content().contains("call me back")) {
                String tomorrowAtSix = java.time.LocalDate.now(java.time.ZoneId.of("Europe/London")).plusDays(1) + "T18:00";
                listener.toolCall("call-2", "schedule_callback", "{\"at\":\"" + tomorrowAtSix + "\",\"to\":\"+14155550100\"}");
            } else if (last.role().equals("tool")) {
                for (String token : List.of("Sorry, ", "I cannot ", "book that.")) listener.token(token);
            } else if (last.role().equals("user") && last.content().contains("book")) {
                listener.toolCall("call-1", "book_appointment", "{\"time\":\"10:00\"}");
            } else {
                listener.token("Hello again.");
            }
            listener.done(new Usage(12, 3));
        });
        return () -> { };
    }
}
