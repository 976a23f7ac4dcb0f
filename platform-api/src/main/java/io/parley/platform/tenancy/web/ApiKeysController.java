package io.parley.platform.tenancy.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.ApiKeysApi;
import io.parley.platform.api.model.ApiKeyCreated;
import io.parley.platform.api.model.ApiKeyPage;
import io.parley.platform.api.model.ApiKeyScope;
import io.parley.platform.api.model.CreateApiKeyRequest;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.ApiKey;
import io.parley.platform.tenancy.ApiKeyService;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Page;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ApiKeysController implements ApiKeysApi {

    private final ApiKeyService apiKeys;
    private final Idempotency idempotency;

    ApiKeysController(ApiKeyService apiKeys, Idempotency idempotency) {
        this.apiKeys = apiKeys;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<ApiKeyCreated> createApiKey(CreateApiKeyRequest request, String idempotencyKey) {
        Caller caller = Callers.current();
        Mode mode = request.getMode() == null ? Mode.TEST : Mode.fromWire(request.getMode().getValue());
        if (mode == Mode.LIVE && caller.mode() == Mode.TEST && caller.actor().startsWith("api_key:")) {
            // a leaked test key must not become a live one: live keys come from a live key or the admin UI
            throw ApiProblemException.invalidField("mode", "a test-mode API key cannot create live keys");
        }
        List<Scope> scopes = request.getScopes() == null ? List.of()
                : request.getScopes().stream().map(s -> Scope.fromWire(s.getValue()).orElseThrow()).toList();
        return idempotency.run(caller.tenant(), idempotencyKey, "createApiKey", request, ApiKeyCreated.class, () -> {
            ApiKeyService.CreatedKey created = apiKeys.create(caller.tenant(), request.getName(), mode, scopes);
            ApiKey key = created.apiKey();
            return ResponseEntity.status(HttpStatus.CREATED).body(new ApiKeyCreated()
                    .id(key.id())
                    .name(key.name())
                    .mode(mode(key.mode()))
                    .prefix(key.prefix())
                    .last4(key.last4())
                    .scopes(scopes(key))
                    .createdAt(utc(key.createdAt()))
                    .revokedAt(utc(key.revokedAt()))
                    .secret(created.secret().value()));
        });
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.ApiKey> getApiKey(UUID apiKeyId) {
        return ResponseEntity.ok(toApi(apiKeys.get(Callers.current().tenant(), apiKeyId)));
    }

    @Override
    public ResponseEntity<ApiKeyPage> listApiKeys(Integer limit, String cursor) {
        Page<ApiKey> page = apiKeys.page(Callers.current().tenant(), cursor, limit);
        return ResponseEntity.ok(new ApiKeyPage()
                .data(page.map(ApiKeysController::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.ApiKey> revokeApiKey(UUID apiKeyId, String idempotencyKey) {
        Caller caller = Callers.current();
        return idempotency.run(caller.tenant(), idempotencyKey, "revokeApiKey:" + apiKeyId, null,
                io.parley.platform.api.model.ApiKey.class,
                () -> ResponseEntity.ok(toApi(apiKeys.revoke(caller.tenant(), apiKeyId))));
    }

    static io.parley.platform.api.model.ApiKey toApi(ApiKey key) {
        return new io.parley.platform.api.model.ApiKey()
                .id(key.id())
                .name(key.name())
                .mode(mode(key.mode()))
                .prefix(key.prefix())
                .last4(key.last4())
                .scopes(scopes(key))
                .createdAt(utc(key.createdAt()))
                .revokedAt(utc(key.revokedAt()));
    }

    private static io.parley.platform.api.model.Mode mode(Mode mode) {
        return io.parley.platform.api.model.Mode.fromValue(mode.wire());
    }

    private static List<ApiKeyScope> scopes(ApiKey key) {
        return key.scopes().stream().map(ApiKeyScope::fromValue).toList();
    }
}
