package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.BillingApi;
import io.parley.sdk.model.Subscription;

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
}
