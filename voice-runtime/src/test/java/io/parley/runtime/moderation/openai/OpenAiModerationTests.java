package io.parley.runtime.moderation.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.runtime.llm.sse.LoopbackServer;
import io.parley.runtime.moderation.Moderation;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI moderation adapter against a loopback server answering as {@code POST /v1/moderations} does. */
class OpenAiModerationTests {

    LoopbackServer server;
    OpenAiModeration moderation;

    @BeforeEach
    void start() throws Exception {
        server = LoopbackServer.start();
        moderation = new OpenAiModeration(new OpenAiModerationConfig(server.uri(""), "sk-test-key", null, null, Duration.ofMillis(500)));
    }

    @AfterEach
    void stop() {
        moderation.close();
        server.close();
    }

    @Test
    void aFlaggedSentenceComesBackWithTheCategoriesThatAreTrue() throws Exception {
        server.onRequest(exchange -> exchange.respond(200, "application/json", OpenAiModerationFixtures.FLAGGED, Map.of()));

        Moderation.Verdict verdict = moderation.check("I will hurt you").get(5, TimeUnit.SECONDS);

        assertThat(verdict.flagged()).isTrue();
        assertThat(verdict.categories()).containsExactly("harassment", "harassment/threatening", "violence", "violence/graphic");
        LoopbackServer.RecordedRequest request = server.takeRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/moderations");
        assertThat(request.header("Authorization")).isEqualTo("Bearer sk-test-key");
        assertThat(request.json().get("model").asString()).isEqualTo("omni-moderation-latest");
        assertThat(request.json().get("input").asString()).isEqualTo("I will hurt you");
    }

    @Test
    void aCleanSentenceIsNotFlagged() throws Exception {
        server.onRequest(exchange -> exchange.respond(200, "application/json", OpenAiModerationFixtures.CLEAN, Map.of()));

        Moderation.Verdict verdict = moderation.check("Merry Christmas!").get(5, TimeUnit.SECONDS);

        assertThat(verdict.flagged()).isFalse();
        assertThat(verdict.categories()).isEmpty();
    }

    @Test
    void anErrorResponseFailsTheCheckWithOpenAisMessage() {
        server.onRequest(exchange -> exchange.respond(401, "application/json",
                "{\"error\": {\"message\": \"Incorrect API key provided\", \"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}", Map.of()));

        assertThatThrownBy(() -> moderation.check("hello").get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(OpenAiModeration.ModerationException.class)
                .hasMessageContaining("401").hasMessageContaining("Incorrect API key provided")
                .satisfies(e -> assertThat(((OpenAiModeration.ModerationException) e).httpStatus()).isEqualTo(401));
    }

    @Test
    void anAnswerWithoutAResultOrNotJsonFailsTheCheck() {
        server.onRequest(exchange -> exchange.respond(200, "application/json", "{\"id\": \"modr-2\", \"results\": []}", Map.of()));
        assertThatThrownBy(() -> moderation.check("hello").get(5, TimeUnit.SECONDS))
                .cause().hasMessageContaining("without a result");

        server.onRequest(exchange -> exchange.respond(502, "text/html", "<html>Bad gateway</html>", Map.of()));
        assertThatThrownBy(() -> moderation.check("hello").get(5, TimeUnit.SECONDS))
                .cause().hasMessageContaining("502").hasMessageContaining("not JSON");
    }

    @Test
    void aSlowProviderFailsTheCheckAtTheTimeout() {
        server.onRequest(exchange -> {
            Thread.sleep(3_000);
            exchange.respond(200, "application/json", OpenAiModerationFixtures.CLEAN, Map.of());
        });

        assertThatThrownBy(() -> moderation.check("hello").get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(OpenAiModeration.ModerationException.class).hasMessageContaining("could not be asked")
                .satisfies(e -> assertThat(((OpenAiModeration.ModerationException) e).httpStatus()).isEqualTo(-1));
    }

    @Test
    void aConfigurationWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> new OpenAiModerationConfig(null, " ", null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("API key");
    }
}
