package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.OperatorApi;
import io.parley.sdk.model.MeterReconciliationList;
import io.parley.sdk.model.ReconcileMeterDayRequest;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The daily reconciliation of billed minutes with Stripe's Billing Meter, for the platform operator only: build the
 * {@link Parley} client with the operator token ({@code PARLEY_OPERATOR_TOKEN}) as its {@code apiKey}. Thread-safe.
 */
public final class MeterReconciliationService {
  private final OperatorApi api;
  private final RequestExecutor executor;

  MeterReconciliationService(OperatorApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Each tenant's outcome for {@code day} (UTC), as the last run left it. */
  public MeterReconciliationList list(LocalDate day) {
    Objects.requireNonNull(day, "day");
    return executor.execute("listMeterReconciliations", Safety.REPEATABLE, () -> api.listMeterReconciliations(day));
  }

  /** Reconciles {@code day} (within the last 35 days) now, and answers the outcomes; running it again corrects nothing twice. */
  public MeterReconciliationList reconcile(LocalDate day) {
    Objects.requireNonNull(day, "day");
    return executor.execute("reconcileMeterDay", Safety.REPEATABLE, () -> api.reconcileMeterDay(new ReconcileMeterDayRequest().day(day)));
  }
}
