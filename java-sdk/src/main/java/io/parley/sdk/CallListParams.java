package io.parley.sdk;

import io.parley.sdk.model.CallStatus;

import java.util.UUID;

/**
 * Which page of calls to fetch, and optional {@code status} and {@code personaId} filters (both must match). See
 * {@link ListParams} for {@code limit} and {@code cursor}. Instances are immutable.
 */
public final class CallListParams {
  private static final CallListParams FIRST_PAGE = new CallListParams(null, null, null, null);

  private final Integer limit;
  private final String cursor;
  private final CallStatus status;
  private final UUID personaId;

  private CallListParams(Integer limit, String cursor, CallStatus status, UUID personaId) {
    this.limit = limit;
    this.cursor = cursor;
    this.status = status;
    this.personaId = personaId;
  }

  /** The first page of all calls, with Parley's default page size. */
  public static CallListParams firstPage() {
    return FIRST_PAGE;
  }

  /** A builder for call list parameters. */
  public static Builder builder() {
    return new Builder();
  }

  /** The page size, or null for Parley's default. */
  public Integer limit() {
    return limit;
  }

  /** The cursor to continue from, or null for the first page. */
  public String cursor() {
    return cursor;
  }

  /** Only calls in this status, or null for any status. */
  public CallStatus status() {
    return status;
  }

  /** Only calls of this persona, or null for any persona. */
  public UUID personaId() {
    return personaId;
  }

  CallListParams withCursor(String cursor) {
    return new CallListParams(limit, cursor, status, personaId);
  }

  @Override
  public String toString() {
    return "CallListParams{limit=" + limit + ", cursor=" + cursor + ", status=" + status + ", personaId=" + personaId + '}';
  }

  /** Builds {@link CallListParams}. */
  public static final class Builder {
    private Integer limit;
    private String cursor;
    private CallStatus status;
    private UUID personaId;

    private Builder() {}

    /** How many items a page holds (1 to 100), or null for Parley's default (20). */
    public Builder limit(Integer limit) {
      this.limit = limit;
      return this;
    }

    /** The {@code nextCursor} of the previous page, or null for the first page. */
    public Builder cursor(String cursor) {
      this.cursor = cursor;
      return this;
    }

    /** Only calls in this status, or null for any status. */
    public Builder status(CallStatus status) {
      this.status = status;
      return this;
    }

    /** Only calls of this persona, or null for any persona. */
    public Builder personaId(UUID personaId) {
      this.personaId = personaId;
      return this;
    }

    /** The parameters. */
    public CallListParams build() {
      return new CallListParams(limit, cursor, status, personaId);
    }
  }
}
