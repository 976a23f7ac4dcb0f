package io.parley.platform.webhooks.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.WebhooksApi;
import io.parley.platform.api.model.CreateWebhookEndpointRequest;
import io.parley.platform.api.model.WebhookAttempt;
import io.parley.platform.api.model.WebhookDelivery;
import io.parley.platform.api.model.WebhookDeliveryPage;
import io.parley.platform.api.model.WebhookDeliveryStatus;
import io.parley.platform.api.model.WebhookEndpoint;
import io.parley.platform.api.model.WebhookEndpointCreated;
import io.parley.platform.api.model.WebhookEndpointPage;
import io.parley.platform.api.model.WebhookEventType;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.Page;
import io.parley.platform.webhooks.WebhookEndpoints;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class WebhooksController implements WebhooksApi {

    /** The tenant's own, which a call credential may not reach. */
    private static final String WHAT = "webhook endpoints";

    private final WebhookEndpoints endpoints;
    private final Idempotency idempotency;

    WebhooksController(WebhookEndpoints endpoints, Idempotency idempotency) {
        this.endpoints = endpoints;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<WebhookEndpointCreated> createWebhookEndpoint(CreateWebhookEndpointRequest request, String idempotencyKey) {
        Caller caller = Callers.tenantWide(WHAT);
        List<String> types = request.getEventTypes() == null ? List.of() : request.getEventTypes().stream().map(WebhookEventType::getValue).toList();
        return idempotency.run(caller.tenant(), idempotencyKey, "createWebhookEndpoint", request, WebhookEndpointCreated.class, () -> {
            WebhookEndpoints.Created created = endpoints.create(caller.tenant(), request.getUrl(), request.getDescription(), types);
            WebhookEndpoints.Endpoint e = created.endpoint();
            return ResponseEntity.status(HttpStatus.CREATED).body(new WebhookEndpointCreated()
                    .id(e.id()).url(e.url()).description(e.description()).eventTypes(types(e.eventTypes())).createdAt(utc(e.createdAt()))
                    .secret(created.secret()));
        });
    }

    @Override
    public ResponseEntity<WebhookEndpointPage> listWebhookEndpoints(Integer limit, String cursor) {
        Page<WebhookEndpoints.Endpoint> page = endpoints.page(Callers.tenantWide(WHAT).tenant(), cursor, limit);
        return ResponseEntity.ok(new WebhookEndpointPage().data(page.map(WebhooksController::toApi).items()).hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<WebhookEndpoint> getWebhookEndpoint(UUID endpointId) {
        return ResponseEntity.ok(toApi(endpoints.get(Callers.tenantWide(WHAT).tenant(), endpointId)));
    }

    @Override
    public ResponseEntity<Void> deleteWebhookEndpoint(UUID endpointId) {
        endpoints.delete(Callers.tenantWide(WHAT).tenant(), endpointId);
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<WebhookDeliveryPage> listWebhookDeliveries(UUID endpointId, Integer limit, String cursor, WebhookDeliveryStatus status) {
        Page<WebhookEndpoints.Delivery> page = endpoints.deliveries(Callers.tenantWide(WHAT).tenant(), endpointId, cursor, limit,
                status == null ? null : status.getValue());
        return ResponseEntity.ok(new WebhookDeliveryPage().data(page.map(WebhooksController::toApi).items()).hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<WebhookDelivery> getWebhookDelivery(UUID deliveryId) {
        WebhookEndpoints.DeliveryLog log = endpoints.delivery(Callers.tenantWide(WHAT).tenant(), deliveryId);
        return ResponseEntity.ok(toApi(log.delivery()).attemptLog(log.attempts().stream()
                .map(a -> new WebhookAttempt().number(a.number()).attemptedAt(utc(a.attemptedAt())).statusCode(a.statusCode())
                        .error(a.error()).durationMs(a.durationMs()))
                .toList()));
    }

    @Override
    public ResponseEntity<WebhookDelivery> redeliverWebhook(UUID deliveryId, String idempotencyKey) {
        Caller caller = Callers.tenantWide(WHAT);
        return idempotency.run(caller.tenant(), idempotencyKey, "redeliverWebhook:" + deliveryId, null, WebhookDelivery.class,
                () -> ResponseEntity.status(HttpStatus.ACCEPTED).body(toApi(endpoints.redeliver(caller.tenant(), deliveryId))));
    }


    private static List<WebhookEventType> types(List<String> types) {
        return types.stream().map(WebhookEventType::fromValue).toList();
    }

    private static WebhookEndpoint toApi(WebhookEndpoints.Endpoint e) {
        return new WebhookEndpoint().id(e.id()).url(e.url()).description(e.description()).eventTypes(types(e.eventTypes()))
                .createdAt(utc(e.createdAt()));
    }

    private static WebhookDelivery toApi(WebhookEndpoints.Delivery d) {
        return new WebhookDelivery().id(d.id()).endpointId(d.endpointId()).eventId(d.eventId())
                .eventType(WebhookEventType.fromValue(d.eventType())).status(WebhookDeliveryStatus.fromValue(d.status()))
                .attempts(d.attempts()).nextAttemptAt(utc(d.nextAttemptAt())).lastStatusCode(d.lastStatusCode()).lastError(d.lastError())
                .createdAt(utc(d.createdAt())).updatedAt(utc(d.updatedAt()));
    }
}
