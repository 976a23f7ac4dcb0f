package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.ApiKeysApi;
import io.parley.sdk.model.ApiKey;
import io.parley.sdk.model.ApiKeyCreated;
import io.parley.sdk.model.ApiKeyPage;
import io.parley.sdk.model.CreateApiKeyRequest;

import java.util.Objects;
import java.util.UUID;

/**
 * Secret API keys of the caller's tenant. Obtain it from {@link Parley#apiKeys()}. Thread-safe. Needs the
 * {@code api_keys:read} / {@code api_keys:write} scopes, else {@link PermissionException}.
 */
public final class ApiKeyService {
  private final ApiKeysApi api;
  private final RequestExecutor executor;

  ApiKeyService(ApiKeysApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Creates a key; see {@link #create(CreateApiKeyRequest, RequestOptions)}. */
  public ApiKeyCreated create(CreateApiKeyRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Creates a key. The returned {@code secret} is the only time Parley shows it: store it now. A replay of the same
   * idempotency key answers the same secret again within 24 hours.
   *
   * @param request name, mode ({@code test} or {@code live}) and scopes (none means every scope)
   */
  public ApiKeyCreated create(CreateApiKeyRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createApiKey", Safety.REPEATABLE, () -> api.createApiKey(request, key));
  }

  /** Fetches a key (by prefix and last four characters; never the secret). */
  public ApiKey get(UUID apiKeyId) {
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    return executor.execute("getApiKey", Safety.REPEATABLE, () -> api.getApiKey(apiKeyId));
  }

  /** The first page of keys, newest first. */
  public ApiKeyPage list() {
    return list(ListParams.firstPage());
  }

  /** One page of keys, newest first. */
  public ApiKeyPage list(ListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listApiKeys", Safety.REPEATABLE, () -> api.listApiKeys(params.limit(), params.cursor()));
  }

  /** Every key, newest first, fetched page by page as you iterate. */
  public PageIterable<ApiKey> listAll() {
    return listAll(ListParams.firstPage());
  }

  /** Every key from {@code params}' cursor on, fetched page by page as you iterate. */
  public PageIterable<ApiKey> listAll(ListParams params) {
    Objects.requireNonNull(params, "params");
    return new PageIterable<>(params.cursor(), cursor -> {
      ApiKeyPage page = list(params.withCursor(cursor));
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }

  /** Revokes a key; see {@link #revoke(UUID, RequestOptions)}. */
  public ApiKey revoke(UUID apiKeyId) {
    return revoke(apiKeyId, RequestOptions.none());
  }

  /**
   * Revokes a key: it stops working at once. Revoking a revoked key answers it unchanged.
   *
   * @return the key, with {@code revokedAt} set
   */
  public ApiKey revoke(UUID apiKeyId, RequestOptions options) {
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    String key = Idempotency.key(options);
    return executor.execute("revokeApiKey", Safety.REPEATABLE, () -> api.revokeApiKey(apiKeyId, key));
  }
}
