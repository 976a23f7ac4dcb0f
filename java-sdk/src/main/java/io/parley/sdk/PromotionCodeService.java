package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.OperatorApi;
import io.parley.sdk.model.CreatePromotionCodeRequest;
import io.parley.sdk.model.PromotionCode;
import io.parley.sdk.model.PromotionCodeList;
import java.util.Objects;

/**
 * Coupons and promotion codes in Stripe, for the platform operator only: build the {@link Parley} client with the
 * operator token ({@code PARLEY_OPERATOR_TOKEN}) as its {@code apiKey}. Tenants type the codes in Checkout.
 * Thread-safe.
 */
public final class PromotionCodeService {
  private final OperatorApi api;
  private final RequestExecutor executor;

  PromotionCodeService(OperatorApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Creates a promotion code; see {@link #create(CreatePromotionCodeRequest, RequestOptions)}. */
  public PromotionCode create(CreatePromotionCodeRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Creates a coupon (percent or amount off) and its promotion code in Stripe, redeemable from {@code startsAt} until
   * {@code expiresAt}, at most {@code maxRedemptions} times. Retried safely under one idempotency key.
   */
  public PromotionCode create(CreatePromotionCodeRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createPromotionCode", Safety.REPEATABLE, () -> api.createPromotionCode(request, key));
  }

  /** The most recent promotion codes in {@code mode}'s ({@code test} or {@code live}) Stripe account. */
  public PromotionCodeList list(String mode) {
    Objects.requireNonNull(mode, "mode");
    return executor.execute("listPromotionCodes", Safety.REPEATABLE, () -> api.listPromotionCodes(mode));
  }
}
