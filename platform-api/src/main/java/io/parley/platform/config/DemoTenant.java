package io.parley.platform.config;

import io.parley.platform.tenancy.ApiKeyService;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantService;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * The demo tenant of the embedded default (or {@code PARLEY_DEMO=true}): made once, with a fresh
 * test-mode key printed at every start, so a newcomer can call the API straight away.
 */
@Component
@ConditionalOnBooleanProperty("parley.demo.enabled")
class DemoTenant implements ApplicationRunner {

    static final TenantId ID = new TenantId(UUID.nameUUIDFromBytes("parley-demo-tenant".getBytes(StandardCharsets.UTF_8)));
    private static final Logger log = LoggerFactory.getLogger(DemoTenant.class);

    private final TenantService tenants;
    private final ApiKeyService apiKeys;
    private final ParleyProperties properties;
    private final boolean operatorTokenGenerated;

    DemoTenant(TenantService tenants, ApiKeyService apiKeys, ParleyProperties properties, org.springframework.core.env.Environment env) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
        this.properties = properties;
        this.operatorTokenGenerated = env.getProperty(ConnectionsEnvironmentPostProcessor.OPERATOR_TOKEN_GENERATED, Boolean.class, false);
    }

    @Override
    public void run(ApplicationArguments args) {
        String key;
        if (tenants.find(ID).isEmpty()) {
            key = tenants.create(ID, "Demo tenant").secret().value();
        } else {
            key = apiKeys.create(ID, "demo " + java.time.Instant.now(), Mode.TEST, List.of()).secret().value();
        }
        String base = properties.publicUrl().toString().replaceAll("/$", "");
        // a configured operator token is a secret and never printed; one made up for this laptop run is
        String operator = operatorTokenGenerated ? properties.operatorToken()
                : properties.operatorToken() == null || properties.operatorToken().isBlank() ? "(not set: PARLEY_OPERATOR_TOKEN)" : "(PARLEY_OPERATOR_TOKEN)";
        log.info("""

                ================================================================================
                 Parley platform-api is up
                   API:          {}/v1   (contract: {}/v1/openapi.yaml)
                   Health:       {}/actuator/health
                   Metrics:      {}/actuator/prometheus
                   Demo tenant:  {}
                   Test API key: {}
                   Operator token (POST /v1/tenants): {}

                 Try:  curl -H "Authorization: Bearer {}" {}/v1/personas
                ================================================================================
                """,
                base, base, base, base, ID, key, operator, key, base);
    }
}
