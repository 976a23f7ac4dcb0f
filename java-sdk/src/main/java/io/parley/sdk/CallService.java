package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.CallsApi;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CallEvent;
import io.parley.sdk.model.CallEventPage;
import io.parley.sdk.model.CallPage;
import io.parley.sdk.model.CancelCallRequest;
import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.RescheduleCallRequest;

import java.util.Objects;
import java.util.UUID;

/**
 * Calls placed by a persona to a phone number. Obtain it from {@link Parley#calls()}. Thread-safe.
 *
 * <p>With a test-mode key ({@code sk_test_...}) calls never reach a real phone. Every method throws a
 * {@link ParleyException} subclass on failure.
 */
public final class CallService {
  private final CallsApi api;
  private final RequestExecutor executor;

  CallService(CallsApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Places or schedules a call; see {@link #create(CreateCallRequest, RequestOptions)}. */
  public Call create(CreateCallRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Places a call from {@code personaId} to {@code to} (E.164, e.g. {@code +447700900123}), at once or at
   * {@code scheduledAt}. Give an idempotency key you can repeat (e.g. your booking id) so that retrying after a crash
   * cannot place the call twice.
   *
   * @return the call, in status {@code scheduled}
   * @throws InvalidRequestException for a bad number, time zone or variables
   */
  public Call create(CreateCallRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createCall", Safety.REPEATABLE, () -> api.createCall(request, key));
  }

  /**
   * Fetches a call.
   *
   * @throws NotFoundException when no such call is in your tenant
   */
  public Call get(UUID callId) {
    Objects.requireNonNull(callId, "callId");
    return executor.execute("getCall", Safety.REPEATABLE, () -> api.getCall(callId));
  }

  /**
   * The call's recording, a WAV (16-bit PCM, 8 kHz, mono), when the call recorded ({@code record}, or its persona's
   * {@code recording}) and it is still kept.
   *
   * @throws NotFoundException when the call has no recording (not yet, or no longer)
   */
  public byte[] recording(UUID callId) {
    Objects.requireNonNull(callId, "callId");
    java.io.File file = executor.execute("getCallRecording", Safety.REPEATABLE, () -> api.getCallRecording(callId));
    try {
      return java.nio.file.Files.readAllBytes(file.toPath());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the downloaded recording could not be read", e);
    } finally {
      file.delete();
    }
  }

  /**
   * Deletes the call's recording now, before its retention ends.
   *
   * @throws NotFoundException when the call has no recording
   */
  public void deleteRecording(UUID callId) {
    Objects.requireNonNull(callId, "callId");
    executor.execute("deleteCallRecording", Safety.ONCE, () -> {
      api.deleteCallRecording(callId);
      return null;
    });
  }

  /**
   * The call's summary and the fields its persona extracts, once the call ended (when Parley has a language model).
   *
   * @throws NotFoundException when the call has none
   */
  public io.parley.sdk.model.CallSummary summary(UUID callId) {
    Objects.requireNonNull(callId, "callId");
    return executor.execute("getCallSummary", Safety.REPEATABLE, () -> api.getCallSummary(callId));
  }

  /** The first page of calls, newest first. */
  public CallPage list() {
    return list(CallListParams.firstPage());
  }

  /** One page of calls, newest first. Use {@code nextCursor} as the next page's cursor while {@code hasMore}. */
  public CallPage list(CallListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listCalls", Safety.REPEATABLE,
        () -> api.listCalls(params.limit(), params.cursor(), params.status(), params.personaId()));
  }

  /** Every call, newest first, fetched page by page as you iterate. */
  public PageIterable<Call> listAll() {
    return listAll(CallListParams.firstPage());
  }

  /** Every call matching {@code params}, from its cursor on, fetched page by page as you iterate. */
  public PageIterable<Call> listAll(CallListParams params) {
    Objects.requireNonNull(params, "params");
    return new PageIterable<>(params.cursor(), cursor -> {
      CallPage page = list(params.withCursor(cursor));
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }

  /** Cancels a call without a reason; see {@link #cancel(UUID, CancelCallRequest, RequestOptions)}. */
  public Call cancel(UUID callId) {
    return cancel(callId, new CancelCallRequest(), RequestOptions.none());
  }

  /** Cancels a call; see {@link #cancel(UUID, CancelCallRequest, RequestOptions)}. */
  public Call cancel(UUID callId, CancelCallRequest request) {
    return cancel(callId, request, RequestOptions.none());
  }

  /**
   * Cancels a call that has not started dialling.
   *
   * @param request the reason, or null for none
   * @return the canceled call
   * @throws ConflictException ({@code invalid-call-transition}) when the call is already dialling or over
   * @throws NotFoundException when no such call is in your tenant
   */
  public Call cancel(UUID callId, CancelCallRequest request, RequestOptions options) {
    Objects.requireNonNull(callId, "callId");
    CancelCallRequest body = request != null ? request : new CancelCallRequest();
    String key = Idempotency.key(options);
    return executor.execute("cancelCall", Safety.REPEATABLE, () -> api.cancelCall(callId, key, body));
  }

  /** Moves a call to another time; see {@link #reschedule(UUID, RescheduleCallRequest, RequestOptions)}. */
  public Call reschedule(UUID callId, RescheduleCallRequest request) {
    return reschedule(callId, request, RequestOptions.none());
  }

  /**
   * Moves a call that has not started dialling to {@code scheduledAt}, or to {@code localTime} in the callee's time
   * zone (the call's own unless {@code timeZone} is given). The move is logged as {@code call.rescheduled}.
   *
   * @return the call with its new time
   * @throws InvalidRequestException for a missing, past or malformed time
   * @throws ConflictException ({@code invalid-call-transition}) when the call is already dialling or over
   * @throws NotFoundException when no such call is in your tenant
   */
  public Call reschedule(UUID callId, RescheduleCallRequest request, RequestOptions options) {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("rescheduleCall", Safety.REPEATABLE, () -> api.rescheduleCall(callId, request, key));
  }

  /** The first page of a call's event log, oldest first. */
  public CallEventPage events(UUID callId) {
    return events(callId, ListParams.firstPage());
  }

  /**
   * One page of a call's append-only event log (created, status changes, canceled, and once the call
   * runs its turns, tool calls, usage and end), oldest first.
   *
   * @throws NotFoundException when no such call is in your tenant
   */
  public CallEventPage events(UUID callId, ListParams params) {
    return events(callId, null, params);
  }

  /**
   * One page of a call's events of one {@code type} only (null: all), oldest first: {@code call.turn} for
   * the transcript, {@code call.usage} for what the call used.
   *
   * @throws NotFoundException when no such call is in your tenant
   */
  public CallEventPage events(UUID callId, String type, ListParams params) {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(params, "params");
    return executor.execute("listCallEvents", Safety.REPEATABLE, () -> api.listCallEvents(callId, params.limit(), params.cursor(), type));
  }

  /** A call's whole event log, oldest first, fetched page by page as you iterate. */
  public PageIterable<CallEvent> allEvents(UUID callId) {
    return allEvents(callId, ListParams.firstPage());
  }

  /** A call's event log from {@code params}' cursor on, oldest first, fetched page by page as you iterate. */
  public PageIterable<CallEvent> allEvents(UUID callId, ListParams params) {
    return allEvents(callId, null, params);
  }

  /** A call's events of one {@code type} only (null: all), oldest first, fetched page by page as you iterate. */
  public PageIterable<CallEvent> allEvents(UUID callId, String type, ListParams params) {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(params, "params");
    return new PageIterable<>(params.cursor(), cursor -> {
      CallEventPage page = events(callId, type, params.withCursor(cursor));
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }
}
