package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.TenantsApi;
import io.parley.sdk.model.CreateTenantRequest;
import io.parley.sdk.model.TenantCreated;

import java.util.Objects;

/**
 * Tenants, for the platform operator only: build the {@link Parley} client with the operator token
 * ({@code PARLEY_OPERATOR_TOKEN}) as its {@code apiKey}. A tenant's own API key answers
 * {@link AuthenticationException} or {@link PermissionException}. Thread-safe.
 */
public final class TenantService {
  private final TenantsApi api;
  private final RequestExecutor executor;

  TenantService(TenantsApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Creates a tenant; see {@link #create(CreateTenantRequest, RequestOptions)}. */
  public TenantCreated create(CreateTenantRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Creates a tenant and its first secret API key (test mode). The key in the answer is shown only this once.
   */
  public TenantCreated create(CreateTenantRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createTenant", Safety.REPEATABLE, () -> api.createTenant(request, key));
  }
}
