package io.parley.platform.web;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * One page of a list, read with {@code limit + 1} rows so that {@code hasMore} needs no count.
 */
public record Page<T>(List<T> items, boolean hasMore, String nextCursor) {

    public static <T> Page<T> of(List<T> rowsPlusOne, int limit, Function<T, UUID> id) {
        boolean more = rowsPlusOne.size() > limit;
        List<T> items = more ? rowsPlusOne.subList(0, limit) : rowsPlusOne;
        String next = more ? Cursor.encode(id.apply(items.getLast())) : null;
        return new Page<>(List.copyOf(items), more, next);
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), hasMore, nextCursor);
    }
}
