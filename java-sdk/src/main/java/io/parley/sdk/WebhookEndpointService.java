package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.WebhooksApi;
import io.parley.sdk.model.CreateWebhookEndpointRequest;
import io.parley.sdk.model.WebhookDelivery;
import io.parley.sdk.model.WebhookDeliveryPage;
import io.parley.sdk.model.WebhookDeliveryStatus;
import io.parley.sdk.model.WebhookEndpoint;
import io.parley.sdk.model.WebhookEndpointCreated;
import io.parley.sdk.model.WebhookEndpointPage;

import java.util.Objects;
import java.util.UUID;

/**
 * Your tenant's webhook endpoints and their deliveries. Obtain it from {@link Parley#webhookEndpoints()}; verify
 * what they receive with {@link Webhooks}. Thread-safe. Needs the {@code webhooks:read} / {@code webhooks:write} scopes.
 */
public final class WebhookEndpointService {
  private final WebhooksApi api;
  private final RequestExecutor executor;

  WebhookEndpointService(WebhooksApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Registers an endpoint; see {@link #create(CreateWebhookEndpointRequest, RequestOptions)}. */
  public WebhookEndpointCreated create(CreateWebhookEndpointRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Registers an endpoint ({@code https}, resolving to public addresses). Keep the returned {@code secret}: it is
   * shown only here, and {@link Webhooks} needs it.
   *
   * @throws InvalidRequestException for a URL that is not https or resolves to a private address
   */
  public WebhookEndpointCreated create(CreateWebhookEndpointRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createWebhookEndpoint", Safety.REPEATABLE, () -> api.createWebhookEndpoint(request, key));
  }

  public WebhookEndpoint get(UUID endpointId) {
    Objects.requireNonNull(endpointId, "endpointId");
    return executor.execute("getWebhookEndpoint", Safety.REPEATABLE, () -> api.getWebhookEndpoint(endpointId));
  }

  /** One page of endpoints, newest first. */
  public WebhookEndpointPage list(ListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listWebhookEndpoints", Safety.REPEATABLE, () -> api.listWebhookEndpoints(params.limit(), params.cursor()));
  }

  /** Deletes an endpoint: nothing more is sent to it and its pending deliveries are canceled. */
  public void delete(UUID endpointId) {
    Objects.requireNonNull(endpointId, "endpointId");
    executor.execute("deleteWebhookEndpoint", Safety.ONCE, () -> {
      api.deleteWebhookEndpoint(endpointId);
      return null;
    });
  }

  /** One page of an endpoint's deliveries, newest first; only those in {@code status} unless null. */
  public WebhookDeliveryPage deliveries(UUID endpointId, WebhookDeliveryStatus status, ListParams params) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(params, "params");
    return executor.execute("listWebhookDeliveries", Safety.REPEATABLE,
        () -> api.listWebhookDeliveries(endpointId, params.limit(), params.cursor(), status));
  }

  /** A delivery with the log of its attempts. */
  public WebhookDelivery delivery(UUID deliveryId) {
    Objects.requireNonNull(deliveryId, "deliveryId");
    return executor.execute("getWebhookDelivery", Safety.REPEATABLE, () -> api.getWebhookDelivery(deliveryId));
  }

  /** Sends a delivery again now, with the same {@code webhook-id}. */
  public WebhookDelivery redeliver(UUID deliveryId) {
    Objects.requireNonNull(deliveryId, "deliveryId");
    String key = Idempotency.key(RequestOptions.none());
    return executor.execute("redeliverWebhook", Safety.REPEATABLE, () -> api.redeliverWebhook(deliveryId, key));
  }
}
