package io.parley.sdk;

import io.parley.sdk.api.ApiKeysApi;
import io.parley.sdk.api.CallsApi;
import io.parley.sdk.api.DoNotCallApi;
import io.parley.sdk.api.PhoneNumbersApi;
import io.parley.sdk.api.PersonasApi;
import io.parley.sdk.api.SettingsApi;
import io.parley.sdk.api.TenantsApi;
import io.parley.sdk.api.WebhooksApi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The Parley API client. Build one per API key and share it: it is immutable and thread-safe, and its services
 * share one HTTP connection pool.
 *
 * <pre>{@code
 * Parley parley = Parley.builder()
 *     .apiKey(System.getenv("PARLEY_API_KEY"))   // sk_test_... or sk_live_...
 *     .baseUrl("https://api.example.com")
 *     .build();
 * Persona santa = parley.personas().create(new CreatePersonaRequest()
 *     .name("Santa Claus").kind(PersonaKind.SANTA)
 *     .systemPrompt("You are Santa Claus...").firstMessage("Ho ho ho!"));
 * }</pre>
 *
 * <p>Every request sends the key as {@code Authorization: Bearer <key>} and {@code User-Agent: parley-java/<version>}.
 * Every POST carries an {@code Idempotency-Key} (yours from {@link RequestOptions}, or a random one kept for all
 * retries of that call). Failed requests are retried up to {@link Builder#maxRetries(int)} times with exponential
 * backoff and full jitter (500 ms base, 8 s cap, or the answer's {@code Retry-After} seconds): GETs and POSTs on
 * network errors, 429 and 5xx; PATCH and DELETE only on 429 and connections that could not be opened; other 4xx
 * never. Failures are thrown as unchecked {@link ParleyException} subclasses.
 */
public final class Parley {
  /** This SDK's version, as sent in the {@code User-Agent} header. */
  public static final String VERSION = loadVersion();

  /** The base URL used when none is given: a local platform-api. */
  public static final String DEFAULT_BASE_URL = "http://localhost:8080";

  static final String USER_AGENT = "parley-java/" + VERSION;

  private final String baseUrl;
  private final PersonaService personas;
  private final CallService calls;
  private final DoNotCallService doNotCall;
  private final PhoneNumberService phoneNumbers;
  private final BookingService bookings;
  private final KnowledgeService knowledge;
  private final CalleeService callees;
  private final SettingsService settings;
  private final BillingService billing;
  private final WebhookEndpointService webhookEndpoints;
  private final ApiKeyService apiKeys;
  private final TenantService tenants;
  private final PromotionCodeService promotionCodes;
  private final MeterReconciliationService meterReconciliations;

  private Parley(Builder b) {
    this.baseUrl = normalizeBaseUrl(b.baseUrl);
    ParleyApiClient client;
    if (b.httpClient != null) {
      client = new ParleyApiClient(b.httpClient, baseUrl);
    } else {
      client = new ParleyApiClient(b.httpClientBuilder != null ? b.httpClientBuilder : HttpClient.newBuilder(), baseUrl);
      client.setConnectTimeout(b.connectTimeout);
    }
    client.setReadTimeout(b.requestTimeout);
    String authorization = "Bearer " + b.apiKey;
    client.setRequestInterceptor(request -> request
        .setHeader("Authorization", authorization)
        .setHeader("User-Agent", USER_AGENT));
    RequestExecutor executor = new RequestExecutor(b.maxRetries, b.sleeper, b.jitter, new ErrorMapper(client.getObjectMapper(), baseUrl));
    this.personas = new PersonaService(new PersonasApi(client), new io.parley.sdk.api.PersonaTemplatesApi(client), executor);
    this.calls = new CallService(new CallsApi(client), executor);
    this.doNotCall = new DoNotCallService(new DoNotCallApi(client), executor);
    this.phoneNumbers = new PhoneNumberService(new PhoneNumbersApi(client), executor);
    this.bookings = new BookingService(new io.parley.sdk.api.BookingsApi(client), executor);
    this.knowledge = new KnowledgeService(client, executor);
    this.callees = new CalleeService(new io.parley.sdk.api.CalleesApi(client), executor);
    this.settings = new SettingsService(new SettingsApi(client), executor);
    this.billing = new BillingService(new io.parley.sdk.api.BillingApi(client), executor);
    this.webhookEndpoints = new WebhookEndpointService(new WebhooksApi(client), executor);
    this.apiKeys = new ApiKeyService(new ApiKeysApi(client), executor);
    this.tenants = new TenantService(new TenantsApi(client), executor);
    io.parley.sdk.api.OperatorApi operator = new io.parley.sdk.api.OperatorApi(client);
    this.promotionCodes = new PromotionCodeService(operator, executor);
    this.meterReconciliations = new MeterReconciliationService(operator, executor);
  }

  /** A builder; {@link Builder#apiKey(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Voice personas of your tenant. */
  public PersonaService personas() {
    return personas;
  }

  /** Calls placed by your personas, and their event logs. */
  public CallService calls() {
    return calls;
  }

  /** Your tenant's defaults for its calls (calling window, retry policy). */
  public SettingsService settings() {
    return settings;
  }

  /** The tenant's subscription: plan, status, and whether calls may be placed. */
  public BillingService billing() {
    return billing;
  }

  /** Your tenant's do-not-call list. */
  public DoNotCallService doNotCall() {
    return doNotCall;
  }

  /** Your tenant's own numbers and the personas that answer them (inbound calls). */
  public PhoneNumberService phoneNumbers() {
    return phoneNumbers;
  }

  /** Appointments your receptionists take, and their free slots. */
  public BookingService bookings() {
    return bookings;
  }

  /** The people your personas call, their consent and favourites, and what personas remember of them. */
  public CalleeService callees() {
    return callees;
  }

  /** A persona's knowledge: the documents its calls answer from. */
  public KnowledgeService knowledge() {
    return knowledge;
  }

  /** Your tenant's webhook endpoints and their deliveries (verify what they receive with {@link Webhooks}). */
  public WebhookEndpointService webhookEndpoints() {
    return webhookEndpoints;
  }

  /** Secret API keys of your tenant. */
  public ApiKeyService apiKeys() {
    return apiKeys;
  }

  /** Tenants: only with the operator token as the client's key. */
  public TenantService tenants() {
    return tenants;
  }

  /** Coupons and promotion codes in Stripe: only with the operator token as the client's key. */
  public PromotionCodeService promotionCodes() {
    return promotionCodes;
  }

  /** The billed minutes' daily reconciliation with Stripe: only with the operator token as the client's key. */
  public MeterReconciliationService meterReconciliations() {
    return meterReconciliations;
  }

  /** The base URL requests go to, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public String toString() {
    return "Parley{baseUrl=" + baseUrl + '}'; // never the key
  }

  /** Builds a {@link Parley} client. Not thread-safe; the client it builds is. */
  public static final class Builder {
    private String apiKey;
    private String baseUrl = DEFAULT_BASE_URL;
    private int maxRetries = 2;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private HttpClient.Builder httpClientBuilder;
    private HttpClient httpClient;
    private Sleeper sleeper = Sleeper.REAL;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /**
     * The bearer token every request sends: a secret API key ({@code sk_test_...}, {@code sk_live_...}), or the
     * operator token for {@link Parley#tenants()}. Required.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Where Parley runs, e.g. {@code https://api.example.com}; default {@value Parley#DEFAULT_BASE_URL}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /** How many times a failed request is retried (0 disables retries); default 2, so at most 3 attempts. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** How long opening a connection may take; default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long one attempt may take until the response headers arrive; default 30 s. Retries get their own. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive(requestTimeout, "requestTimeout");
      return this;
    }

    /**
     * The JDK HTTP client builder to use (proxy, SSL context, executor, HTTP version...). The SDK sets its connect
     * timeout on it and builds one client from it.
     */
    public Builder httpClientBuilder(HttpClient.Builder httpClientBuilder) {
      this.httpClientBuilder = Objects.requireNonNull(httpClientBuilder, "httpClientBuilder");
      return this;
    }

    /**
     * A JDK HTTP client that is already built, to share one connection pool among several Parley clients, e.g. one
     * per credential when a service acts for many tenants. Its own connect timeout applies ({@link #connectTimeout}
     * does not); {@link #requestTimeout} still applies to each attempt. Not with {@link #httpClientBuilder}.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /** Replaces the wait between retries (tests). */
    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Replaces the random factor in [0, 1) of the backoff (tests). */
    Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalArgumentException when the api key is missing or blank, the base URL is not an absolute
     *     http(s) URL, or both an HTTP client and an HTTP client builder are given
     */
    public Parley build() {
      if (httpClient != null && httpClientBuilder != null) {
        throw new IllegalArgumentException("give httpClient or httpClientBuilder, not both");
      }
      if (apiKey == null || apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey is required: a secret API key such as sk_test_...");
      }
      if (!apiKey.equals(apiKey.strip()) || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("apiKey must be printable ASCII without spaces");
      }
      return new Parley(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }

  static String normalizeBaseUrl(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("baseUrl is not a URL: " + baseUrl, e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL without query or fragment: " + baseUrl);
    }
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static String loadVersion() {
    try (InputStream in = Parley.class.getResourceAsStream("sdk.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v.strip();
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }
}
