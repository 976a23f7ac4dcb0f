package io.parley.sdk;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Every item of a list, across pages: fetches the first page when iteration starts and each next page (passing the
 * previous page's {@code nextCursor} as {@code cursor}) only when the items so far have been consumed, until a page
 * says {@code hasMore: false}. Each page is one request, retried like any other GET; a failure surfaces as a
 * {@link ParleyException} from {@code hasNext()} or {@code next()}.
 *
 * <pre>{@code
 * for (Call call : parley.calls().listAll(CallListParams.builder().status(CallStatus.SCHEDULED).build())) {
 *   ...
 * }
 * long failed = parley.calls().listAll().stream().filter(c -> c.getStatus() == CallStatus.FAILED).count();
 * }</pre>
 *
 * <p>Each {@link #iterator()} (and {@link #stream()}) starts again from the first page. An iterator is not
 * thread-safe.
 *
 * @param <T> the item type
 */
public final class PageIterable<T> implements Iterable<T> {

  /** One page as the services see it. */
  static final class Page<T> {
    final List<T> data;
    final boolean hasMore;
    final String nextCursor;

    Page(List<T> data, Boolean hasMore, String nextCursor) {
      this.data = data == null ? List.of() : data;
      this.hasMore = Boolean.TRUE.equals(hasMore);
      this.nextCursor = nextCursor;
    }
  }

  private final String firstCursor;
  private final Function<String, Page<T>> fetch;

  PageIterable(String firstCursor, Function<String, Page<T>> fetch) {
    this.firstCursor = firstCursor;
    this.fetch = fetch;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private Iterator<T> current = Collections.emptyIterator();
      private String cursor = firstCursor;
      private boolean more = true;

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && more) {
          Page<T> page = fetch.apply(cursor);
          current = page.data.iterator();
          // A page that claims more but gives no cursor cannot be followed: stop rather than loop on page one.
          more = page.hasMore && page.nextCursor != null && !page.nextCursor.isEmpty();
          cursor = page.nextCursor;
        }
        return current.hasNext();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /** A sequential stream of every item; pages are fetched as the stream is consumed. */
  public Stream<T> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
  }
}
