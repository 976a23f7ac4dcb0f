package io.parley.platform.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.crypto.SecretBox;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Delivers webhook events, at least once, with any number of instances doing the same. A loop claims due
 * deliveries ({@code parley_claim_webhook_deliveries}: FOR UPDATE SKIP LOCKED and a lease, so each is posted by
 * one instance at a time) and posts each on a virtual thread, at most {@code parallelism} at once:
 * <ul>
 *   <li>headers {@code webhook-id} (the event's id: the same on every retry, for the receiver to deduplicate),
 *       {@code webhook-timestamp} (seconds, at this attempt) and {@code webhook-signature} ({@link WebhookSignature});</li>
 *   <li>the endpoint's URL checked again by {@link EndpointGuard} first (a name may resolve elsewhere by now); no
 *       redirects followed; {@code timeout} for the answer;</li>
 *   <li>a 2xx answer is delivered; anything else (or no answer) waits for the next step of {@code retry-schedule}
 *       (± 20 % jitter) and after the last one the delivery has failed. Every attempt goes to the log.</li>
 * </ul>
 * An instance that dies mid-post leaves the delivery claimed until its lease ends; another then posts it again
 * (receivers deduplicate by {@code webhook-id}).
 */
public final class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_ERROR_CHARS = 500;

    private record Work(UUID deliveryId, TenantId tenant, UUID endpointId, String url, byte[] sealedSecret, UUID eventId, String payload,
                        int attempts) {}

    private final ParleyProperties.Webhooks settings;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final SecretBox secrets;
    private final EndpointGuard guard;
    private final Clock clock;
    private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient http;
    private final Semaphore inFlight;
    private final Counter delivered;
    private final Counter failedAttempts;
    private final Counter exhausted;

    private volatile boolean running;
    private volatile Thread loop;
    private volatile ExecutorService posts;

    public WebhookDispatcher(ParleyProperties.Webhooks settings, TenantTransactions transactions, JdbcTemplate jdbc, SecretBox secrets,
                             Clock clock, MeterRegistry meters) {
        if (settings.lease().compareTo(settings.timeout().multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("parley.webhooks.lease must be at least twice parley.webhooks.timeout");
        }
        this.settings = settings;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.guard = new EndpointGuard(settings.allowedPrivateNetworks());
        this.clock = clock;
        // connections go only to addresses the guard checked as they were resolved (no window for DNS rebinding);
        // redirects are not followed, and a post is not retried by the client (the delivery schedule retries)
        org.apache.hc.core5.util.Timeout timeout = org.apache.hc.core5.util.Timeout.ofMilliseconds(settings.timeout().toMillis());
        this.http = org.apache.hc.client5.http.impl.classic.HttpClients.custom()
                .setConnectionManager(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new org.apache.hc.client5.http.DnsResolver() {
                            @Override
                            public java.net.InetAddress[] resolve(String host) throws java.net.UnknownHostException {
                                return guard.resolve(host);
                            }

                            @Override
                            public String resolveCanonicalHostname(String host) throws java.net.UnknownHostException {
                                return host;
                            }
                        })
                        .setMaxConnTotal(Math.max(8, settings.parallelism())).setMaxConnPerRoute(4)
                        .setDefaultConnectionConfig(org.apache.hc.client5.http.config.ConnectionConfig.custom()
                                .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .build())
                .setDefaultRequestConfig(org.apache.hc.client5.http.config.RequestConfig.custom().setResponseTimeout(timeout).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("Parley-Webhooks/1")
                .build();
        this.inFlight = new Semaphore(settings.parallelism());
        this.delivered = Counter.builder("parley.webhooks.delivered").description("Webhook deliveries an endpoint accepted").register(meters);
        this.failedAttempts = Counter.builder("parley.webhooks.failed_attempts").description("Webhook posts that failed (to be retried)").register(meters);
        this.exhausted = Counter.builder("parley.webhooks.exhausted").description("Webhook deliveries that failed after every retry").register(meters);
    }

    @Override
    public void start() {
        running = true;
        posts = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-post-", 0).factory());
        loop = Thread.ofVirtual().name("webhook-dispatcher").start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorService p = posts;
        if (p != null) {
            p.shutdown();
            try {
                p.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the database is ready, stops before it goes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private void run() {
        while (running) {
            try {
                int free = inFlight.availablePermits();
                List<Claimed> due = free == 0 ? List.of() : claim(Math.min(free, settings.batchSize()));
                for (Claimed c : due) {
                    inFlight.acquire();
                    try {
                        posts.execute(() -> {
                            try {
                                deliver(c);
                            } catch (RuntimeException e) {
                                log.warn("Webhook delivery {} could not be attempted (retried after its lease): {}", c.id(), e.toString());
                            } finally {
                                inFlight.release();
                            }
                        });
                    } catch (RuntimeException e) {
                        inFlight.release();
                        throw e;
                    }
                }
                if (due.isEmpty()) {
                    Thread.sleep(settings.poll());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) return;
                log.warn("Claiming webhook deliveries failed, retrying: {}", e.toString());
                try {
                    Thread.sleep(settings.poll().multipliedBy(5));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private record Claimed(UUID id, TenantId tenant) {}

    private List<Claimed> claim(int limit) {
        return transactions.withoutTenant(() -> jdbc.query("select id, tenant_id from parley_claim_webhook_deliveries(?, ?, ?::interval)",
                (rs, i) -> new Claimed(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class))),
                Timestamp.from(clock.instant()), limit, settings.lease().toMillis() + " milliseconds"));
    }

    /** Posts one claimed delivery and records what came of it. */
    void deliver(Claimed claimed) {
        Optional<Work> found = transactions.read(claimed.tenant(), () -> jdbc.query("""
                select d.id, d.endpoint_id, ep.url, ep.secret, d.event_id, ev.payload::text, d.attempts, ep.deleted_at is not null
                  from webhook_deliveries d
                  join webhook_endpoints ep on ep.tenant_id = d.tenant_id and ep.id = d.endpoint_id
                  join webhook_events ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
                 where d.tenant_id = ? and d.id = ? and d.status = 'pending'""",
                (rs, i) -> rs.getBoolean(8) ? null : new Work(rs.getObject(1, UUID.class), claimed.tenant(), rs.getObject(2, UUID.class),
                        rs.getString(3), rs.getBytes(4), rs.getObject(5, UUID.class), rs.getString(6), rs.getInt(7)),
                claimed.tenant().value(), claimed.id()).stream().filter(java.util.Objects::nonNull).findFirst());
        if (found.isEmpty()) {
            return;   // delivered, canceled or its endpoint deleted meanwhile
        }
        Work work = found.get();
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Integer status = null;
        String error = null;
        Optional<String> refused = guard.refuse(work.url());
        if (refused.isPresent()) {
            error = "not sent: the URL " + refused.get();
        } else {
            try {
                String secret = new String(secrets.open(work.sealedSecret(), WebhookEndpoints.secretContext(work.tenant(), work.endpointId())),
                        StandardCharsets.UTF_8);
                long timestamp = started.getEpochSecond();
                String id = work.eventId().toString();
                org.apache.hc.client5.http.classic.methods.HttpPost post = new org.apache.hc.client5.http.classic.methods.HttpPost(URI.create(work.url()));
                post.setHeader("webhook-id", id);
                post.setHeader("webhook-timestamp", Long.toString(timestamp));
                post.setHeader("webhook-signature", WebhookSignature.sign(secret, id, timestamp, work.payload()));
                post.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(work.payload(),
                        org.apache.hc.core5.http.ContentType.APPLICATION_JSON.withCharset(StandardCharsets.UTF_8)));
                status = http.execute(post, response -> {
                    org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
                    return response.getCode();
                });
                if (status < 200 || status > 299) {
                    error = "the endpoint answered " + status;
                }
            } catch (java.net.UnknownHostException e) {
                error = e.getMessage() != null && e.getMessage().startsWith("refused: ")
                        ? "not sent: the URL " + e.getMessage().substring("refused: ".length())
                        : "could not post: its host does not resolve";
            } catch (java.net.SocketTimeoutException e) {   // connect or read
                error = "no answer within " + settings.timeout().toMillis() + " ms";
            } catch (java.io.InterruptedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;   // stopping: the lease runs out and another instance posts it
                }
                error = "could not post: " + e;
            } catch (java.io.IOException | IllegalArgumentException e) {
                error = "could not post: " + e;
            }
        }
        record(work, started, status, error, (int) Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    private void record(Work work, Instant at, Integer status, String error, int durationMs) {
        int attempt = work.attempts() + 1;
        boolean ok = error == null;
        List<Duration> schedule = settings.retrySchedule();
        boolean last = !ok && work.attempts() >= schedule.size();
        Instant next = ok || last ? null : at.plus(jitter(schedule.get(work.attempts())));
        String shortError = error == null ? null : error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS);
        transactions.write(work.tenant(), () -> {
            jdbc.update("insert into webhook_attempts (id, tenant_id, delivery_id, number, attempted_at, status_code, error, duration_ms) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?)", Ids.next(), work.tenant().value(), work.deliveryId(), attempt, Timestamp.from(at),
                    status, shortError, durationMs);
            jdbc.update("update webhook_deliveries set status = ?, attempts = ?, next_attempt_at = ?, claim_until = null, "
                            + "last_status_code = ?, last_error = ?, updated_at = ? where tenant_id = ? and id = ? and status = 'pending'",
                    ok ? "succeeded" : last ? "failed" : "pending", attempt, next == null ? null : Timestamp.from(next), status, shortError,
                    Timestamp.from(clock.instant()), work.tenant().value(), work.deliveryId());
            return null;
        });
        if (ok) {
            delivered.increment();
        } else if (last) {
            exhausted.increment();
            log.info("Webhook delivery {} to endpoint {} failed after {} attempts: {}", work.deliveryId(), work.endpointId(), attempt, shortError);
        } else {
            failedAttempts.increment();
        }
    }

    /** {@code wait} ± 20 %. */
    static Duration jitter(Duration wait) {
        double factor = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.round(wait.toMillis() * factor));
    }
}
