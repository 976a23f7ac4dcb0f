package io.parley.runtime.call;

import io.parley.runtime.llm.LanguageModel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake of our own model port (src/test only): asks for a tool when the caller says "book", answers
 * a tool's result with an apology, and otherwise says one short line. Records every request.
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
            if (last.role().equals("tool")) {
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
