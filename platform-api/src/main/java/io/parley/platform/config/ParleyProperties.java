package io.parley.platform.config;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Parley's own settings ({@code parley.*} in application.yaml, where every key is commented).
 *
 * @param operatorToken bearer token allowed to create tenants; blank closes tenant creation
 * @param publicUrl     the URL this API is reached at, printed at start-up
 * @param database      how platform-api reaches PostgreSQL
 * @param redis         how platform-api reaches Redis
 * @param embedded      whether embedded PostgreSQL/Redis may start when none is configured
 * @param demo          the demo tenant made at start-up
 * @param api           limits of the public API
 * @param auth          JWT settings for the admin UI, and the key of call credentials
 * @param callEvents    how the voice runtime's events are consumed from Redis
 * @param dispatch      how due calls are claimed and dialled
 * @param telephony     the carrier calls are placed with
 * @param compliance    the guard checked when a call is dialled
 * @param runtime       how dialled calls are handed to the voice runtime
 * @param reminders     the sender of personas' reminders before their calls
 * @param webhooks      how events are delivered to tenants' endpoints
 * @param encryption    the master key that keeps secrets at rest
 */
@ConfigurationProperties("parley")
public record ParleyProperties(
        String operatorToken,
        URI publicUrl,
        Database database,
        Redis redis,
        Embedded embedded,
        Demo demo,
        Api api,
        Auth auth,
        CallEvents callEvents,
        Dispatch dispatch,
        Telephony telephony,
        Compliance compliance,
        Runtime runtime,
        Reminders reminders,
        Summaries summaries,
        Webhooks webhooks,
        Encryption encryption) {

    public record Database(String url, String appRole, String appPassword) {}

    public record Redis(String url) {}

    public record Embedded(EmbeddedMode mode) {}

    public enum EmbeddedMode { AUTO, NEVER }

    public record Demo(boolean enabled) {}

    public record Api(DataSize maxBodyBytes, Duration idempotencyTtl, RateLimit rateLimit) {}

    /** Requests per tenant: a bucket of {@code burst} refilled at {@code requestsPerSecond}. */
    public record RateLimit(boolean enabled, int requestsPerSecond, int burst) {}

    /**
     * The consumer of the voice runtime's event stream: every platform-api instance is one consumer
     * of {@code group}; an event is applied once by its id however often it is delivered.
     *
     * @param enabled          whether this instance consumes at all
     * @param stream           the stream the runtime appends to
     * @param deadLetterStream where events that cannot be applied go, with the reason
     * @param group            the consumer group all platform-api instances share
     * @param consumer         this instance's name in the group (blank: the host name, else a random one)
     * @param batchSize        events read per round trip
     * @param block            how long one read waits for new events
     * @param claimIdle        how long an event may sit unacknowledged with another consumer before this one takes it over
     * @param maxDeliveries    deliveries after which an event that keeps failing is dead-lettered
     */
    public record CallEvents(boolean enabled, String stream, String deadLetterStream, String group, String consumer,
                             int batchSize, Duration block, Duration claimIdle, int maxDeliveries) {}

    /**
     * This instance's dispatcher of due calls (see {@code io.parley.platform.calls.dispatch.CallDispatcher}).
     *
     * @param enabled              whether this instance dispatches at all
     * @param name                 this dispatcher's name in the claims and attempts (blank: the host name, else random)
     * @param poll                 how long it waits when nothing is due
     * @param batchSize            calls claimed per round trip
     * @param parallelism          dials in flight at once
     * @param lease                how long a claim holds a call before another dispatcher may take it
     * @param dialDeadline         an attempt not dialled this long after it was recorded is left to the reconciler
     * @param reconcileAfter       an attempt without a carrier id this old is looked up at the carrier
     * @param reconcileEvery       how often the reconciler runs
     * @param maxActiveCallsPerTenant calls a tenant may have dialing, ringing or in progress at once
     * @param deferBy              how long a call waits when its tenant is at its limit
     * @param callsPerSecondPerNumber dials per second from one caller number, across all instances
     */
    public record Dispatch(boolean enabled, String name, Duration poll, int batchSize, int parallelism, Duration lease,
                           Duration dialDeadline, Duration reconcileAfter, Duration reconcileEvery, int maxActiveCallsPerTenant,
                           Duration deferBy, double callsPerSecondPerNumber) {}

    /**
     * The carriers: the sandbox for test mode (nothing leaves the machine), Twilio for live mode when it is
     * configured (else live calls go to the sandbox as well).
     *
     * @param carrier          the test-mode carrier: {@code sandbox}
     * @param from             the caller number calls are placed from
     * @param sandboxKeyPrefix where the sandbox carrier keeps what it placed, in Redis
     * @param sandboxRing      how long the sandbox's callees ring
     * @param sandboxTalk      how long the sandbox's answering callee stays on the line
     * @param twilio           the live carrier
     */
    public record Telephony(String carrier, String from, String sandboxKeyPrefix, Duration sandboxRing, Duration sandboxTalk, Twilio twilio) {}

    /**
     * Twilio, the live carrier: configured when {@code accountSid} is set.
     *
     * @param accountSid       the account calls are placed from (TWILIO_ACCOUNT_SID)
     * @param authToken        its auth token: authenticates API requests and verifies Twilio's webhooks (TWILIO_AUTH_TOKEN)
     * @param from             a number of the account that live calls are placed from (TWILIO_CALLER_NUMBER)
     * @param publicUrl        platform-api's address as Twilio reaches it (its webhooks are {@code /webhooks/twilio/*})
     * @param apiUrl           blank: Twilio's own API; else every API request goes to this address (a contract mock)
     * @param machineDetection whether answering machines are detected (the outcome {@code voicemail}, the persona's message)
     * @param ringTimeout      how long a call rings before it is {@code no_answer}
     * @param reconcileAfter   how long after its dial a call still under way is looked up at Twilio (its callbacks may be lost)
     * @param reconcileEvery   how often that is checked
     * @param receiptsKept     how long a webhook's idempotency token is kept to recognise it sent again
     */
    public record Twilio(String accountSid, String authToken, String from, URI publicUrl, URI apiUrl, boolean machineDetection,
                         Duration ringTimeout, Duration reconcileAfter, Duration reconcileEvery, Duration receiptsKept) {

        public boolean configured() {
            return accountSid != null && !accountSid.isBlank();
        }
    }

    /**
     * The compliance guard: the hours a callee may be called in their local time (start inclusive, end
     * exclusive) and the numbers never dialled (emergency, premium-rate). On unless turned off. {@code crisisLine}: what
     * personas say when a caller shows signs of self-harm (blank: the voice runtime's own, with 988 and Samaritans).
     */
    public record Compliance(boolean enabled, java.time.LocalTime callingWindowStart, java.time.LocalTime callingWindowEnd,
                             String aiDisclosure, String optOutDigit, String recordingDisclosure, String crisisLine) {}

    /**
     * How a dialled call is handed to the voice runtime: its bootstrap in Redis and the call token the carrier
     * passes on when the callee answers.
     *
     * @param callTokenSecret HS256 key shared with the voice runtime (PARLEY_CALL_TOKEN_SECRET, at least 32 bytes);
     *                        blank: calls are dialled without a voice (no bootstrap, no token)
     * @param streamUrl       where the carrier connects the answered call (the runtime's Media Streams WebSocket)
     * @param llmProvider     the language model the runtime uses for personas (blank: the offline scripted brain)
     * @param sttProvider     the speech recogniser (offline: no key needed)
     * @param maxCallLength   the longest a call may last (the runtime warns before it and says goodbye)
     * @param bootstrapTtl    how long a call's bootstrap stays in Redis
     */
    public record Runtime(String callTokenSecret, URI streamUrl, String llmProvider, String sttProvider, Duration maxCallLength,
                          Duration bootstrapTtl) {}

    /**
     * Delivery of webhook events to tenants' endpoints.
     *
     * @param enabled                 whether this instance delivers (every instance may)
     * @param poll                    how long a dispatcher waits when nothing is due
     * @param batchSize               deliveries claimed per round trip
     * @param parallelism             posts in flight at once
     * @param lease                   how long a claim holds a delivery (well above {@code timeout})
     * @param timeout                 how long an endpoint has to answer
     * @param retrySchedule           the wait before each retry of a failed delivery (± 20 % jitter); after the last, it fails
     * @param allowedPrivateNetworks  CIDRs an endpoint may resolve to although private, loopback or link-local (development only)
     */
    public record Webhooks(boolean enabled, Duration poll, int batchSize, int parallelism, Duration lease, Duration timeout,
                           java.util.List<Duration> retrySchedule, java.util.List<String> allowedPrivateNetworks) {}

    /** @param enabled whether this instance sends due reminders (every instance may); @param poll how often it looks */
    /**
     * @param emailFrom the sender of reminder emails (sent when SMTP is configured: {@code spring.mail.host})
     */
    public record Reminders(boolean enabled, Duration poll, String emailFrom) {}

    /**
     * Post-call summaries and extraction, with a chat model behind an OpenAI-compatible API.
     *
     * @param llmUrl its base URL, e.g. {@code https://api.openai.com/v1} (PARLEY_SUMMARY_LLM_URL); blank: no summaries
     * @param llmKey its API key (PARLEY_SUMMARY_LLM_KEY)
     * @param model  the model (PARLEY_SUMMARY_MODEL)
     * @param poll   how often due summaries are looked for
     * @param lease  how long an instance holds a call it summarizes before another may take it
     */
    public record Summaries(String llmUrl, String llmKey, String model, Duration poll, Duration lease) {
        public boolean configured() {
            return llmUrl != null && !llmUrl.isBlank();
        }
    }

    /** @param masterKey base64 of 32 bytes: AES-256 key encrypting secrets kept at rest (webhook signing secrets) */
    public record Encryption(String masterKey) {}

    public record Auth(Jwt jwt, CallCredentials callCredentials) {}

    /**
     * The key call credentials are signed with (held by platform-api alone, the same on every instance),
     * the previous key while rotating, and how long a credential outlives its call's maximum length.
     */
    public record CallCredentials(String secret, String previousSecret, Duration margin) {}

    public record Jwt(String issuerUri, String jwkSetUri, String audience, String tenantClaim, String roleClaim) {
        public boolean configured() {
            return !isBlank(issuerUri) || !isBlank(jwkSetUri);
        }
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
