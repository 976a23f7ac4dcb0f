package io.parley.runtime.tools;

import static io.parley.runtime.tools.PlatformToolsTests.CALLEE;
import static io.parley.runtime.tools.PlatformToolsTests.CREDENTIAL;
import static io.parley.runtime.tools.PlatformToolsTests.PERSONA;
import static io.parley.runtime.tools.PlatformToolsTests.call;
import static io.parley.runtime.tools.PlatformToolsTests.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LoopbackServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code search_knowledge} against a loopback platform-api that answers as the real one does. */
class SearchKnowledgeTests {

    LoopbackServer platform;
    PlatformTools tools;

    @BeforeEach
    void start() throws Exception {
        platform = LoopbackServer.start();
        tools = new PlatformTools(new PlatformApiProperties(platform.uri("").toString(), Duration.ofSeconds(5), Duration.ofSeconds(1), 1),
                Clock.fixed(PlatformToolsTests.NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        tools.close();
        platform.close();
    }

    @Test
    void findsPassagesOfTheCallsOwnPersonaAndNamesTheirSources() throws Exception {
        platform.onRequest(exchange -> exchange.respond(200, "application/json", """
                {"query":"opening hours saturday","passages":[
                  {"documentId":"0190b3c2-7f1e-7a3c-9d2e-3b4c5d6e7f81","documentName":"hours.md","passage":2,
                   "text":"We are open on Saturdays from 9 am to 1 pm.","score":0.4}]}""", Map.of()));
        var call = call(List.of("search_knowledge"), CREDENTIAL, CALLEE);
        assertThat(tools.offered(call, PlatformToolsTests.NOW)).extracting(LanguageModel.Tool::name).containsExactly("search_knowledge");

        JsonNode result = result(tools.execute(call, "toolu_1", "search_knowledge",
                "{\"query\":\"opening hours saturday\",\"personaId\":\"someone-elses\"}"));

        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).as("the call's own persona, whatever the model sends").isEqualTo("/v1/personas/" + PERSONA + "/knowledge/search");
        assertThat(URLDecoder.decode(request.query(), StandardCharsets.UTF_8)).isEqualTo("q=opening hours saturday&limit=3");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + CREDENTIAL);
        assertThat(result.get("passages").get(0).get("source").asString()).isEqualTo("hours.md, passage 2");
        assertThat(result.get("passages").get(0).get("text").asString()).isEqualTo("We are open on Saturdays from 9 am to 1 pm.");
        assertThat(result.has("note")).isFalse();
    }

    @Test
    void nothingFoundTellsTheModelToSaySoAndABlankQueryNeverReachesThePlatform() throws Exception {
        platform.onRequest(exchange -> exchange.respond(200, "application/json", "{\"query\":\"parking\",\"passages\":[]}", Map.of()));
        var call = call(List.of("search_knowledge"), CREDENTIAL, CALLEE);
        assertThat(result(tools.execute(call, "toolu_2", "search_knowledge", "{\"query\":\"parking\"}")).get("note").asString())
                .contains("say you do not know");
        JsonNode blank = result(tools.execute(call, "toolu_3", "search_knowledge", "{\"query\":\"  \"}"));
        assertThat(blank.get("error").asString()).isEqualTo("invalid_arguments");
        platform.takeRequest();
        assertThat(platform.requestCount()).as("only the first search reached the platform").isZero();
    }
}
