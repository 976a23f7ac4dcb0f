package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.BillingApi;
import io.parley.sdk.model.Subscription;
import io.parley.sdk.model.Usage;
import java.time.LocalDate;

/**
 * Your tenant's subscription, in the mode of the key you use (a test key: Stripe's test mode): its plan and limits, its
 * status, and whether calls may be placed now. Obtain it from {@link Parley#billing()}. Thread-safe.
 */
public final class BillingService {
  private final BillingApi api;
  private final RequestExecutor executor;

  BillingService(BillingApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Where the tenant stands; when calls cannot be placed, {@link Subscription#getReason()} says why and how to lift it. */
  public Subscription subscription() {
    return executor.execute("getSubscription", Safety.REPEATABLE, api::getSubscription);
  }

  /**
   * Billable minutes and the providers' estimated cost per day (UTC) and persona, from {@code from} to {@code to} (both
   * included; null: this month so far).
   */
  public Usage usage(LocalDate from, LocalDate to) {
    return executor.execute("getUsage", Safety.REPEATABLE, () -> api.getUsage(from, to));
  }

  /**
   * A Stripe Checkout Session to subscribe to (or change to) a plan; send the tenant's browser to its URL. The
   * subscription starts when Stripe's webhook says it was paid, not when the browser comes back.
   */
  public io.parley.sdk.model.BillingSession checkoutSession(io.parley.sdk.model.CreateCheckoutSessionRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    return executor.execute("createCheckoutSession", Safety.ONCE, () -> api.createCheckoutSession(request));
  }

  /** A session of Stripe's customer portal (card, invoices, plan, cancelling). */
  public io.parley.sdk.model.BillingSession portalSession(io.parley.sdk.model.CreatePortalSessionRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    return executor.execute("createPortalSession", Safety.ONCE, () -> api.createPortalSession(request));
  }
}
