package io.parley.platform.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page cursors: the id of the last item of a page, base64url-encoded. Ids are UUIDv7, so
 * "after this id" is a stable position in a time-ordered list even while rows are added.
 */
public final class Cursor {

    private static final String VERSION = "v1:";

    private Cursor() {}

    public static String encode(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** The id in a cursor; null for none; a 400 problem naming {@code cursor} for garbage. */
    public static UUID decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith(VERSION)) {
                throw new IllegalArgumentException("unknown cursor version");
            }
            return UUID.fromString(raw.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw ApiProblemException.invalidParameter("cursor", "not a cursor this API gave out");
        }
    }
}
