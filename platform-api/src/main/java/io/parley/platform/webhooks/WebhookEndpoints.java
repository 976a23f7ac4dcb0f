package io.parley.platform.webhooks;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.crypto.SecretBox;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import io.parley.platform.web.ProblemType;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A tenant's webhook endpoints, their deliveries and the log of every attempt. An endpoint's secret is shown
 * once, when it is made, and kept sealed by {@link SecretBox}; events reach endpoints through the outbox the
 * database fills with each call event (V7__webhooks.sql) and {@link WebhookDispatcher}.
 */
@Service
public class WebhookEndpoints {

    /** The webhook event types, as the spec lists them. */
    public static final List<String> EVENT_TYPES = List.of("call.scheduled", "call.started", "call.completed", "call.busy",
            "call.no_answer", "call.voicemail", "call.failed", "call.canceled", "call.blocked", "call.deferred", "call.rescheduled",
            "call.retry_scheduled", "call.reminder", "transcript.ready", "recording.ready", "call.summarized", "booking.created",
            "booking.canceled", "call.crisis_detected", "billing.threshold_reached", "billing.trial_will_end");

    public record Endpoint(UUID id, String url, String description, List<String> eventTypes, Instant createdAt) {}

    /** A new endpoint and its secret, which is never shown again. */
    public record Created(Endpoint endpoint, String secret) {}

    public record Delivery(UUID id, UUID endpointId, UUID eventId, String eventType, String status, int attempts,
                           Instant nextAttemptAt, Integer lastStatusCode, String lastError, Instant createdAt, Instant updatedAt) {}

    public record Attempt(int number, Instant attemptedAt, Integer statusCode, String error, int durationMs) {}

    private static final String ENDPOINT_COLUMNS = "id, url, description, event_types, created_at";
    private static final String DELIVERY_COLUMNS = "d.id, d.endpoint_id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, "
            + "d.last_status_code, d.last_error, d.created_at, d.updated_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final SecretBox secrets;
    private final EndpointGuard guard;
    private final Clock clock;

    public WebhookEndpoints(TenantTransactions transactions, JdbcTemplate jdbc, SecretBox secrets, ParleyProperties properties, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.guard = new EndpointGuard(properties.webhooks().allowedPrivateNetworks());
        this.clock = clock;
    }

    /** The context an endpoint's sealed secret is bound to. */
    static String secretContext(TenantId tenant, UUID endpoint) {
        return "webhook-endpoint:" + tenant.value() + ":" + endpoint;
    }

    public Created create(TenantId tenant, String url, String description, List<String> eventTypes) {
        List<ApiProblemException.FieldError> errors = new ArrayList<>();
        guard.refuse(url).ifPresent(why -> errors.add(new ApiProblemException.FieldError("url", why)));
        List<String> types = eventTypes == null ? List.of() : eventTypes.stream().distinct().toList();
        if (!errors.isEmpty()) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "url: " + errors.getFirst().detail(), errors);
        }
        UUID id = Ids.next();
        String secret = WebhookSignature.newSecret();
        byte[] sealed = secrets.seal(secret.getBytes(StandardCharsets.UTF_8), secretContext(tenant, id));
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            jdbc.update(con -> {
                var ps = con.prepareStatement("insert into webhook_endpoints (id, tenant_id, url, description, event_types, secret, created_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?)");
                ps.setObject(1, id);
                ps.setObject(2, tenant.value());
                ps.setString(3, url);
                ps.setString(4, description);
                ps.setArray(5, con.createArrayOf("text", types.toArray()));
                ps.setBytes(6, sealed);
                ps.setTimestamp(7, Timestamp.from(now));
                return ps;
            });
            return new Created(new Endpoint(id, url, description, types, now), secret);
        });
    }

    public Page<Endpoint> page(TenantId tenant, String cursor, int limit) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> Page.of(jdbc.query("select " + ENDPOINT_COLUMNS + " from webhook_endpoints "
                        + "where tenant_id = ? and deleted_at is null" + (after == null ? "" : " and id < ?") + " order by id desc limit ?",
                WebhookEndpoints::endpoint, after == null ? new Object[] {tenant.value(), limit + 1} : new Object[] {tenant.value(), after, limit + 1}),
                limit, Endpoint::id));
    }

    public Endpoint get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("webhook endpoint"));
    }

    /** Deletes the endpoint: nothing more is sent to it, its pending deliveries are canceled; its log stays. */
    public void delete(TenantId tenant, UUID id) {
        Instant now = clock.instant();
        transactions.write(tenant, () -> {
            int deleted = jdbc.update("update webhook_endpoints set deleted_at = ? where tenant_id = ? and id = ? and deleted_at is null",
                    Timestamp.from(now), tenant.value(), id);
            if (deleted == 0) {
                throw ApiProblemException.notFound("webhook endpoint");
            }
            jdbc.update("update webhook_deliveries set status = 'canceled', next_attempt_at = null, updated_at = ? "
                    + "where tenant_id = ? and endpoint_id = ? and status = 'pending'", Timestamp.from(now), tenant.value(), id);
            return null;
        });
    }

    /** The endpoint's deliveries, newest first. */
    public Page<Delivery> deliveries(TenantId tenant, UUID endpointId, String cursor, int limit, String status) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            find(tenant, endpointId).orElseThrow(() -> ApiProblemException.notFound("webhook endpoint"));
            List<Object> args = new ArrayList<>(List.of(tenant.value(), endpointId));
            StringBuilder sql = new StringBuilder("select " + DELIVERY_COLUMNS
                    + " from webhook_deliveries d join webhook_events e on e.tenant_id = d.tenant_id and e.id = d.event_id"
                    + " where d.tenant_id = ? and d.endpoint_id = ?");
            if (after != null) {
                sql.append(" and d.id < ?");
                args.add(after);
            }
            if (status != null) {
                sql.append(" and d.status = ?");
                args.add(status);
            }
            sql.append(" order by d.id desc limit ?");
            args.add(limit + 1);
            return Page.of(jdbc.query(sql.toString(), WebhookEndpoints::delivery, args.toArray()), limit, Delivery::id);
        });
    }

    /** One delivery with the log of its attempts, oldest first. */
    public DeliveryLog delivery(TenantId tenant, UUID deliveryId) {
        return transactions.read(tenant, () -> {
            Delivery delivery = findDelivery(tenant, deliveryId).orElseThrow(() -> ApiProblemException.notFound("webhook delivery"));
            List<Attempt> attempts = jdbc.query("select number, attempted_at, status_code, error, duration_ms from webhook_attempts "
                            + "where tenant_id = ? and delivery_id = ? order by id",
                    (rs, i) -> new Attempt(rs.getInt(1), rs.getTimestamp(2).toInstant(), (Integer) rs.getObject(3), rs.getString(4), rs.getInt(5)),
                    tenant.value(), deliveryId);
            return new DeliveryLog(delivery, attempts);
        });
    }

    public record DeliveryLog(Delivery delivery, List<Attempt> attempts) {}

    /**
     * Sends the delivery again now, whatever became of it (a receiver that was down and has been mended); it
     * keeps its webhook-id, so a receiver that had it already can tell. 409 when its endpoint was deleted.
     */
    public Delivery redeliver(TenantId tenant, UUID deliveryId) {
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            Delivery delivery = findDelivery(tenant, deliveryId).orElseThrow(() -> ApiProblemException.notFound("webhook delivery"));
            Boolean live = jdbc.queryForObject("select deleted_at is null from webhook_endpoints where tenant_id = ? and id = ?", Boolean.class,
                    tenant.value(), delivery.endpointId());
            if (!Boolean.TRUE.equals(live)) {
                throw new ApiProblemException(ProblemType.CONFLICT, "The delivery's endpoint was deleted");
            }
            jdbc.update("update webhook_deliveries set status = 'pending', next_attempt_at = ?, claim_until = null, updated_at = ? "
                    + "where tenant_id = ? and id = ?", Timestamp.from(now), Timestamp.from(now), tenant.value(), deliveryId);
            return findDelivery(tenant, deliveryId).orElseThrow();
        });
    }

    private Optional<Endpoint> find(TenantId tenant, UUID id) {
        return jdbc.query("select " + ENDPOINT_COLUMNS + " from webhook_endpoints where tenant_id = ? and id = ? and deleted_at is null",
                WebhookEndpoints::endpoint, tenant.value(), id).stream().findFirst();
    }

    private Optional<Delivery> findDelivery(TenantId tenant, UUID id) {
        return jdbc.query("select " + DELIVERY_COLUMNS + " from webhook_deliveries d join webhook_events e "
                        + "on e.tenant_id = d.tenant_id and e.id = d.event_id where d.tenant_id = ? and d.id = ?",
                WebhookEndpoints::delivery, tenant.value(), id).stream().findFirst();
    }

    private static Endpoint endpoint(ResultSet rs, int row) throws SQLException {
        Array types = rs.getArray(4);
        return new Endpoint(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), List.of((String[]) types.getArray()),
                rs.getTimestamp(5).toInstant());
    }

    private static Delivery delivery(ResultSet rs, int row) throws SQLException {
        Timestamp next = rs.getTimestamp(7);
        return new Delivery(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                rs.getString(5), rs.getInt(6), next == null ? null : next.toInstant(), (Integer) rs.getObject(8), rs.getString(9),
                rs.getTimestamp(10).toInstant(), rs.getTimestamp(11).toInstant());
    }
}
