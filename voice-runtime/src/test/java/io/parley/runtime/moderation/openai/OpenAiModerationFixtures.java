package io.parley.runtime.moderation.openai;

/** Answers shaped as OpenAI's {@code POST /v1/moderations} gives them. */
public final class OpenAiModerationFixtures {

    private OpenAiModerationFixtures() {}

    /** OpenAI's documented answer for a flagged input (omni-moderation-latest), trimmed of most scores. */
    public static final String FLAGGED = """
            {"id": "modr-0d9740456c391e43c445bf0f010940c7", "model": "omni-moderation-latest",
             "results": [{"flagged": true,
               "categories": {"harassment": true, "harassment/threatening": true, "sexual": false, "hate": false,
                 "hate/threatening": false, "illicit": false, "illicit/violent": false, "self-harm/intent": false,
                 "self-harm/instructions": false, "self-harm": false, "sexual/minors": false, "violence": true, "violence/graphic": true},
               "category_scores": {"harassment": 0.8189693, "violence": 0.9977, "sexual": 2.3e-05},
               "category_applied_input_types": {"harassment": ["text"], "violence": ["text"]}}]}
            """;
    public static final String CLEAN = """
            {"id": "modr-1", "model": "omni-moderation-latest",
             "results": [{"flagged": false, "categories": {"harassment": false, "violence": false}, "category_scores": {"harassment": 0.0001}}]}
            """;

}
