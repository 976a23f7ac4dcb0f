package io.parley.sdk;

import io.parley.sdk.model.PersonaKind;

/**
 * Which page of personas to fetch, and an optional {@code kind} filter. See {@link ListParams} for {@code limit} and
 * {@code cursor}. Instances are immutable.
 */
public final class PersonaListParams {
  private static final PersonaListParams FIRST_PAGE = new PersonaListParams(null, null, null);

  private final Integer limit;
  private final String cursor;
  private final PersonaKind kind;

  private PersonaListParams(Integer limit, String cursor, PersonaKind kind) {
    this.limit = limit;
    this.cursor = cursor;
    this.kind = kind;
  }

  /** The first page of all personas, with Parley's default page size. */
  public static PersonaListParams firstPage() {
    return FIRST_PAGE;
  }

  /** A builder for persona list parameters. */
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

  /** Only personas of this kind, or null for every kind. */
  public PersonaKind kind() {
    return kind;
  }

  PersonaListParams withCursor(String cursor) {
    return new PersonaListParams(limit, cursor, kind);
  }

  @Override
  public String toString() {
    return "PersonaListParams{limit=" + limit + ", cursor=" + cursor + ", kind=" + kind + '}';
  }

  /** Builds {@link PersonaListParams}. */
  public static final class Builder {
    private Integer limit;
    private String cursor;
    private PersonaKind kind;

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

    /** Only personas of this kind, or null for every kind. */
    public Builder kind(PersonaKind kind) {
      this.kind = kind;
      return this;
    }

    /** The parameters. */
    public PersonaListParams build() {
      return new PersonaListParams(limit, cursor, kind);
    }
  }
}
