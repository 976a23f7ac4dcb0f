package io.parley.runtime.tools;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.session.CallBootstrap;
import io.parley.sdk.model.KnowledgePassage;
import io.parley.sdk.model.KnowledgeSearchResult;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code search_knowledge}: the passages of the call's own persona's documents that best answer the caller's question
 * ({@code GET /v1/personas/{id}/knowledge/search}), each with its source ("hours.md, passage 2"). The model is told to
 * answer from them only, and to say so when they do not hold the answer. The result is on the call's events
 * ({@code call.tool_called}), so the passages an answer came from are cited with the call.
 */
final class SearchKnowledge implements PlatformTool {

    static final String NAME = "search_knowledge";
    static final int MAX_QUERY = 500;
    private static final int PASSAGES = 3;

    private final JsonMapper json;

    SearchKnowledge(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean available(CallBootstrap call) {
        return call.persona() != null && call.persona().id() != null;
    }

    @Override
    public LanguageModel.Tool definition(CallBootstrap call, Instant now) {
        ObjectNode schema = json.createObjectNode().put("type", "object");
        schema.putObject("properties").putObject("query").put("type", "string").put("maxLength", MAX_QUERY)
                .put("description", "What the caller wants to know, in a few words (e.g. \"opening hours on Saturday\")");
        schema.putArray("required").add("query");
        schema.put("additionalProperties", false);
        return new LanguageModel.Tool(NAME, "Look up what the business's documents say, before answering a question about the business "
                + "(hours, prices, services, directions, policies). Answer only from the passages found; if they do not hold the answer, "
                + "say you do not know and offer to take a message.", json.writeValueAsString(schema));
    }

    @Override
    public ObjectNode run(Run run, JsonNode arguments) {
        JsonNode query = arguments.get("query");
        if (query == null || !query.isString() || query.asString().isBlank()) {
            throw new ToolArgumentException("query: required, what the caller wants to know");
        }
        String q = query.asString().strip();
        if (q.length() > MAX_QUERY) {
            throw new ToolArgumentException("query: at most " + MAX_QUERY + " characters");
        }
        KnowledgeSearchResult found = run.platform().knowledge().search(run.call().persona().id(), q, PASSAGES);
        ObjectNode result = json.createObjectNode().put("query", q);
        ArrayNode passages = result.putArray("passages");
        for (KnowledgePassage p : found.getPassages()) {
            passages.addObject().put("source", p.getDocumentName() + ", passage " + p.getPassage()).put("text", p.getText());
        }
        if (found.getPassages().isEmpty()) {
            result.put("note", "Nothing in the business's documents answers this: say you do not know, and offer to take a message.");
        }
        return result;
    }
}
