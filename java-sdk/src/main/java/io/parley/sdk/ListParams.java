package io.parley.sdk;

/**
 * Which page of a list without filters to fetch (API keys, a call's events).
 *
 * <p>{@code limit} is how many items a page holds (Parley accepts 1 to 100, default 20); {@code cursor} is the
 * {@code nextCursor} of the previous page, or null for the first page. {@code listAll} methods follow the cursors
 * for you. Instances are immutable.
 */
public final class ListParams {
  private static final ListParams FIRST_PAGE = new ListParams(null, null);

  private final Integer limit;
  private final String cursor;

  private ListParams(Integer limit, String cursor) {
    this.limit = limit;
    this.cursor = cursor;
  }

  /** The first page, with Parley's default page size. */
  public static ListParams firstPage() {
    return FIRST_PAGE;
  }

  /** A builder for list parameters. */
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

  ListParams withCursor(String cursor) {
    return new ListParams(limit, cursor);
  }

  @Override
  public String toString() {
    return "ListParams{limit=" + limit + ", cursor=" + cursor + '}';
  }

  /** Builds {@link ListParams}. */
  public static final class Builder {
    private Integer limit;
    private String cursor;

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

    /** The parameters. */
    public ListParams build() {
      return new ListParams(limit, cursor);
    }
  }
}
