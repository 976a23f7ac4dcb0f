package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.DoNotCallApi;
import io.parley.sdk.model.AddDoNotCallRequest;
import io.parley.sdk.model.DoNotCallEntry;
import io.parley.sdk.model.DoNotCallPage;

import java.util.Objects;

/**
 * Your tenant's do-not-call list: numbers none of your personas may call. Obtain it from
 * {@link Parley#doNotCall()}. Thread-safe.
 *
 * <p>Creating a call to a listed number fails with {@link InvalidRequestException} of type {@code do-not-call}; a
 * call scheduled before the number was listed ends {@code blocked}. Callees who opt out during a call are added by
 * Parley ({@code source: opt_out}).
 */
public final class DoNotCallService {
  private final DoNotCallApi api;
  private final RequestExecutor executor;

  DoNotCallService(DoNotCallApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Adds a number; see {@link #add(AddDoNotCallRequest, RequestOptions)}. */
  public DoNotCallEntry add(String phoneNumber) {
    return add(new AddDoNotCallRequest().phoneNumber(phoneNumber), RequestOptions.none());
  }

  /**
   * Adds {@code request.phoneNumber} (E.164) to the list. Adding a listed number again changes nothing and returns
   * its entry.
   *
   * @throws InvalidRequestException for a number that is not a valid phone number
   */
  public DoNotCallEntry add(AddDoNotCallRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("addDoNotCall", Safety.REPEATABLE, () -> api.addDoNotCall(request, key));
  }

  /** One page of the list, newest first. */
  public DoNotCallPage list(ListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listDoNotCall", Safety.REPEATABLE, () -> api.listDoNotCall(params.limit(), params.cursor(), null));
  }

  /** Whether {@code phoneNumber} (E.164) is on the list. */
  public boolean contains(String phoneNumber) {
    Objects.requireNonNull(phoneNumber, "phoneNumber");
    return !executor.execute("listDoNotCall", Safety.REPEATABLE, () -> api.listDoNotCall(1, null, phoneNumber)).getData().isEmpty();
  }

  /** The whole list, newest first, fetched page by page as you iterate. */
  public PageIterable<DoNotCallEntry> listAll() {
    return new PageIterable<>(null, cursor -> {
      DoNotCallPage page = list(ListParams.builder().cursor(cursor).build());
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }

  /**
   * Removes {@code phoneNumber} (E.164): it may be called again. Only do this when the callee agreed.
   *
   * @throws NotFoundException when the number is not on the list
   */
  public void remove(String phoneNumber) {
    Objects.requireNonNull(phoneNumber, "phoneNumber");
    executor.execute("removeDoNotCall", Safety.ONCE, () -> {
      api.removeDoNotCall(phoneNumber);
      return null;
    });
  }
}
