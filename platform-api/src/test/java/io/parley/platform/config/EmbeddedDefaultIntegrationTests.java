package io.parley.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.ParleyApplication;
import io.parley.platform.support.ApiClient;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What README's run command does on a machine with only a JDK: no database and no Redis
 * configured, so Parley starts its own, makes a demo tenant and prints a working test key.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDefaultIntegrationTests {

    @Test
    void startsOnEmbeddedServicesAndPrintsAWorkingDemoKey(CapturedOutput output) {
        // command-line arguments outrank the system properties other tests set: nothing is configured here
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ParleyApplication.class).run(
                "--server.port=0", "--parley.database.url=", "--parley.redis.url=", "--parley.embedded.mode=auto",
                "--parley.operator-token=", "--parley.auth.call-credentials.secret=", "--spring.jmx.enabled=false")) {
            String base = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort();

            assertThat(app.getEnvironment().getProperty("spring.datasource.url")).doesNotContain(":5432/");
            assertThat(new ApiClient(base, null).get("/actuator/health").json().get("status").asString()).isEqualTo("UP");

            String key = printed(output, "Test API key: (sk_test_\\w+)");
            String operator = printed(output, "Operator token \\(POST /v1/tenants\\): (op_\\w+)");

            ApiClient demo = new ApiClient(base, key);
            ApiClient.Response persona = demo.post("/v1/personas", ApiClient.json(Map.of(
                    "name", "Santa", "kind", "santa", "systemPrompt", "You are Santa.", "firstMessage", "Ho ho ho!")));
            assertThat(persona.status()).as(persona.body()).isEqualTo(201);
            String id = persona.json().get("id").asString();
            assertThat(demo.get("/v1/personas/" + id).status()).isEqualTo(200);

            // a call credential key is made up for this run too: the call's credential reads its call
            ApiClient.Response call = demo.post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838750")));
            assertThat(call.status()).as(call.body()).isEqualTo(201);
            UUID callId = UUID.fromString(call.json().get("id").asString());
            CallCredentials credentials = app.getBean(CallCredentials.class);
            assertThat(credentials.enabled()).isTrue();
            String credential = credentials.mint(DemoTenant.ID, Mode.TEST, new CallGrant(callId, UUID.fromString(id), "+442071838750"),
                    Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(10)).value();
            assertThat(new ApiClient(base, credential).get("/v1/calls/" + callId).status()).isEqualTo(200);

            ApiClient.Response other = new ApiClient(base, operator).post("/v1/tenants", ApiClient.json(Map.of("name", "Other")));
            assertThat(other.status()).isEqualTo(201);
            assertThat(new ApiClient(base, other.json().get("apiKey").asString()).get("/v1/personas/" + id).status()).isEqualTo(404);
        }
    }

    private static String printed(CapturedOutput output, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(output.getAll());
        assertThat(m.find()).as("start-up output contains %s", pattern).isTrue();
        return m.group(1);
    }
}
