package io.parley.runtime.tools;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.session.CallBootstrap;
import io.parley.sdk.Parley;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One tool the model may call that acts on the platform through its public API, as the call (with the
 * call's credential). Whatever identifies the call (tenant, callee, persona) comes from the call, never
 * from the model's arguments. A later tool (bookings, availability) is one more implementation.
 */
interface PlatformTool {

    /** The name the model calls it by, and personas list it by ({@code persona.tools}). */
    String name();

    /** Whether this call has what the tool needs (e.g. a callee number). */
    boolean available(CallBootstrap call);

    /** The tool as offered to the model on this call at {@code now}: its description may give the caller's local time. */
    LanguageModel.Tool definition(CallBootstrap call, Instant now);

    /**
     * Runs the tool: checks the model's arguments, calls the API and says what happened, as JSON the model can
     * speak about.
     *
     * @throws ToolArgumentException when the arguments are not acceptable (the API is not called)
     * @throws io.parley.sdk.ParleyException when the API refuses or cannot be reached
     */
    ObjectNode run(Run run, JsonNode arguments);

    /** One execution: the call, a client acting as the call, the model's id of this tool call, and the time. */
    record Run(CallBootstrap call, Parley platform, String toolCallId, Instant now) {

        /** The same for every retry of this tool call (and on any instance): the API acts on it once. */
        String idempotencyKey() {
            return "tool:" + call.callId() + ":" + UUID.nameUUIDFromBytes(toolCallId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
