package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.CalleesApi;
import io.parley.sdk.model.Callee;
import io.parley.sdk.model.CalleeMemory;
import io.parley.sdk.model.CalleePage;
import io.parley.sdk.model.CreateCalleeRequest;
import io.parley.sdk.model.UpdateCalleeRequest;
import java.util.Objects;
import java.util.UUID;

/**
 * The people your personas call: name and pronunciation, time zone, consent, opt-out, favourite personas, and what
 * personas with memory remember of them. Reach it with {@link Parley#callees()}.
 */
public final class CalleeService {

  private final CalleesApi api;
  private final RequestExecutor executor;

  CalleeService(CalleesApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** @throws ConflictException when a callee has the number already */
  public Callee create(CreateCalleeRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createCallee", Safety.REPEATABLE, () -> api.createCallee(request, key));
  }

  public Callee create(CreateCalleeRequest request) {
    return create(request, RequestOptions.none());
  }

  public Callee get(UUID id) {
    Objects.requireNonNull(id, "id");
    return executor.execute("getCallee", Safety.REPEATABLE, () -> api.getCallee(id));
  }

  /** One page of callees, newest first; {@code phoneNumber} (E.164) narrows it to that number's, when given. */
  public CalleePage list(ListParams params, String phoneNumber) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listCallees", Safety.REPEATABLE, () -> api.listCallees(params.limit(), params.cursor(), phoneNumber));
  }

  /** Changes the fields given; {@code optedOut} puts the number on (or takes it off) the do-not-call list. */
  public Callee update(UUID id, UpdateCalleeRequest request) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    return executor.execute("updateCallee", Safety.REPEATABLE, () -> api.updateCallee(id, request));
  }

  /** Forgets the callee and what personas remember of them. */
  public void delete(UUID id) {
    Objects.requireNonNull(id, "id");
    executor.execute("deleteCallee", Safety.ONCE, () -> {
      api.deleteCallee(id);
      return null;
    });
  }

  public Callee addFavourite(UUID id, UUID personaId) {
    return executor.execute("addFavourite", Safety.REPEATABLE, () -> api.addFavourite(Objects.requireNonNull(id), Objects.requireNonNull(personaId)));
  }

  public Callee removeFavourite(UUID id, UUID personaId) {
    return executor.execute("removeFavourite", Safety.REPEATABLE, () -> api.removeFavourite(Objects.requireNonNull(id), Objects.requireNonNull(personaId)));
  }

  /** What personas remember of the callee, newest first. */
  public CalleeMemory memory(UUID id) {
    Objects.requireNonNull(id, "id");
    return executor.execute("getCalleeMemory", Safety.REPEATABLE, () -> api.getCalleeMemory(id));
  }

  /** Makes every persona forget the callee. */
  public void eraseMemory(UUID id) {
    Objects.requireNonNull(id, "id");
    executor.execute("eraseCalleeMemory", Safety.REPEATABLE, () -> {
      api.eraseCalleeMemory(id);
      return null;
    });
  }
}
