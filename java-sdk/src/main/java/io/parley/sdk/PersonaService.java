package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.PersonaTemplatesApi;
import io.parley.sdk.api.PersonasApi;
import io.parley.sdk.model.CreatePersonaRequest;
import io.parley.sdk.model.Persona;
import io.parley.sdk.model.PersonaPage;
import io.parley.sdk.model.PersonaTemplate;
import io.parley.sdk.model.UpdatePersonaRequest;

import java.util.Objects;
import java.util.UUID;

/**
 * Voice personas of the caller's tenant: who speaks on a call (system prompt, first message, language, voice).
 * Obtain it from {@link Parley#personas()}. Thread-safe.
 *
 * <p>Every method throws a {@link ParleyException} subclass on failure, e.g. {@link NotFoundException} for an id
 * that is not in your tenant and {@link InvalidRequestException} for an invalid body.
 */
public final class PersonaService {
  private final PersonasApi api;
  private final PersonaTemplatesApi templates;
  private final RequestExecutor executor;

  PersonaService(PersonasApi api, PersonaTemplatesApi templates, RequestExecutor executor) {
    this.api = api;
    this.templates = templates;
    this.executor = executor;
  }

  /**
   * Parley's persona templates (Santa, the companions, a receptionist): create a persona from one with
   * {@code new CreatePersonaRequest().template("santa")}, changing any field you set.
   */
  public java.util.List<PersonaTemplate> templates() {
    return executor.execute("listPersonaTemplates", Safety.REPEATABLE, () -> templates.listPersonaTemplates()).getData();
  }

  /**
   * One of Parley's persona templates, with its prompts, variables and flow.
   *
   * @throws NotFoundException when there is no such template
   */
  public PersonaTemplate template(String templateId) {
    Objects.requireNonNull(templateId, "templateId");
    return executor.execute("getPersonaTemplate", Safety.REPEATABLE, () -> templates.getPersonaTemplate(templateId));
  }

  /** Creates a persona; see {@link #create(CreatePersonaRequest, RequestOptions)}. */
  public Persona create(CreatePersonaRequest request) {
    return create(request, RequestOptions.none());
  }

  /**
   * Creates a persona.
   *
   * @param request the persona; {@code name}, {@code kind}, {@code systemPrompt} and {@code firstMessage} are required
   *                unless {@code template} names one of {@link #templates()}, which gives every field left out
   * @param options the idempotency key, if you have one; otherwise the SDK makes one for this call and its retries
   * @return the persona as stored, with its id
   */
  public Persona create(CreatePersonaRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createPersona", Safety.REPEATABLE, () -> api.createPersona(request, key));
  }

  /**
   * Fetches a persona.
   *
   * @throws NotFoundException when no such persona is in your tenant (or it was deleted)
   */
  public Persona get(UUID personaId) {
    Objects.requireNonNull(personaId, "personaId");
    return executor.execute("getPersona", Safety.REPEATABLE, () -> api.getPersona(personaId));
  }

  /**
   * Changes the fields set in {@code request}; fields left null keep their value. Retried only when Parley cannot
   * have applied it (connection refused, 429).
   *
   * @return the updated persona
   */
  public Persona update(UUID personaId, UpdatePersonaRequest request) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(request, "request");
    return executor.execute("updatePersona", Safety.ONCE, () -> api.updatePersona(personaId, request));
  }

  /**
   * Stops the persona taking bookings: its booking settings go (a new version); the bookings it has keep their slots.
   * Safe to repeat.
   */
  public Persona stopBookings(UUID personaId) {
    Objects.requireNonNull(personaId, "personaId");
    return executor.execute("deletePersonaBooking", Safety.REPEATABLE, () -> api.deletePersonaBooking(personaId));
  }

  /**
   * Deletes a persona: it stops answering and listing, and its still-scheduled calls are canceled (past calls keep
   * their record). Retried only when Parley cannot have applied it (connection refused, 429).
   *
   * @throws NotFoundException when no such persona is in your tenant
   */
  public void delete(UUID personaId) {
    Objects.requireNonNull(personaId, "personaId");
    executor.execute("deletePersona", Safety.ONCE, () -> {
      api.deletePersona(personaId);
      return null;
    });
  }

  /** The first page of personas, newest first. */
  public PersonaPage list() {
    return list(PersonaListParams.firstPage());
  }

  /** One page of personas, newest first. Use {@code nextCursor} as the next page's cursor while {@code hasMore}. */
  public PersonaPage list(PersonaListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listPersonas", Safety.REPEATABLE, () -> api.listPersonas(params.limit(), params.cursor(), params.kind()));
  }

  /** Every persona, newest first, fetched page by page as you iterate. */
  public PageIterable<Persona> listAll() {
    return listAll(PersonaListParams.firstPage());
  }

  /** Every persona matching {@code params}, from its cursor on, fetched page by page as you iterate. */
  public PageIterable<Persona> listAll(PersonaListParams params) {
    Objects.requireNonNull(params, "params");
    return new PageIterable<>(params.cursor(), cursor -> {
      PersonaPage page = list(params.withCursor(cursor));
      return new PageIterable.Page<>(page.getData(), page.getHasMore(), page.getNextCursor());
    });
  }
}
