package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.PhoneNumbersApi;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CreatePhoneNumberRequest;
import io.parley.sdk.model.CreateTestCallRequest;
import io.parley.sdk.model.PhoneNumber;
import io.parley.sdk.model.PhoneNumberPage;
import io.parley.sdk.model.UpdatePhoneNumberRequest;

import java.util.Objects;
import java.util.UUID;

/**
 * Your tenant's own numbers, each answered by one of your personas (a receptionist): every call to one is a call
 * with {@code direction: inbound}. Obtain it from {@link Parley#phoneNumbers()}. Thread-safe.
 *
 * <p>With a live key the number must be one of Parley's Twilio account, which is pointed at Parley; with a test key
 * it is a sandbox number no real phone can reach.
 */
public final class PhoneNumberService {
  private final PhoneNumbersApi api;
  private final RequestExecutor executor;

  PhoneNumberService(PhoneNumbersApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Answers {@code phoneNumber} (E.164) with {@code personaId}; see {@link #create(CreatePhoneNumberRequest, RequestOptions)}. */
  public PhoneNumber create(String phoneNumber, UUID personaId) {
    return create(new CreatePhoneNumberRequest().phoneNumber(phoneNumber).personaId(personaId), RequestOptions.none());
  }

  /**
   * Answers {@code request.phoneNumber} with {@code request.personaId} from now on.
   *
   * @throws ConflictException when the number is already answered by Parley
   * @throws InvalidRequestException for an invalid number, a persona that is not yours, or (live) a number Parley's
   *         Twilio account does not have
   */
  public PhoneNumber create(CreatePhoneNumberRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createPhoneNumber", Safety.REPEATABLE, () -> api.createPhoneNumber(request, key));
  }

  /** @throws NotFoundException when your tenant has no such number */
  public PhoneNumber get(UUID id) {
    Objects.requireNonNull(id, "id");
    return executor.execute("getPhoneNumber", Safety.REPEATABLE, () -> api.getPhoneNumber(id));
  }

  /** Answers the number with {@code personaId} from now on (calls under way keep theirs). */
  public PhoneNumber answerWith(UUID id, UUID personaId) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(personaId, "personaId");
    return executor.execute("updatePhoneNumber", Safety.REPEATABLE,
        () -> api.updatePhoneNumber(id, new UpdatePhoneNumberRequest().personaId(personaId)));
  }

  /** One page of your numbers, newest first. */
  public PhoneNumberPage list(ListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listPhoneNumbers", Safety.REPEATABLE, () -> api.listPhoneNumbers(params.limit(), params.cursor()));
  }

  /** All your numbers, newest first, fetched page by page as you iterate. */
  public PageIterable<PhoneNumber> listAll() {
    return new PageIterable<>(null, cursor -> {
      PhoneNumberPage page = list(ListParams.builder().cursor(cursor).build());
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }

  /**
   * Test mode: the sandbox calls the sandbox number {@code id} from {@code from} (E.164; null: {@code +14155550100}),
   * a simulated caller who talks with the number's persona through the voice runtime. Returns the inbound call,
   * under way; follow it with {@link CallService#get(UUID)}.
   *
   * @throws ConflictException for a number of a live carrier (call it from a phone)
   */
  public Call testCall(UUID id, String from) {
    return testCall(id, new CreateTestCallRequest().from(from));
  }

  /**
   * As {@link #testCall(UUID, String)}, with the caller's lines: {@code request.say}, one line each time the persona
   * has spoken and fallen silent (for example {@code ["I'd like to book an appointment", "tomorrow at ten", "yes"]}).
   */
  public Call testCall(UUID id, CreateTestCallRequest request) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    return executor.execute("createTestCall", Safety.ONCE, () -> api.createTestCall(id, request));
  }

  /**
   * Stops answering the number: its calls are rejected from now on.
   *
   * @throws NotFoundException when your tenant has no such number
   */
  public void delete(UUID id) {
    Objects.requireNonNull(id, "id");
    executor.execute("deletePhoneNumber", Safety.ONCE, () -> {
      api.deletePhoneNumber(id);
      return null;
    });
  }
}
