package io.parley.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.platform.tenancy.Ids;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CursorTests {

    @Test
    void roundTrip() {
        for (UUID id : new UUID[] {Ids.next(), UUID.randomUUID(), new UUID(0, 0), new UUID(-1, -1)}) {
            String cursor = Cursor.encode(id);
            assertThat(Cursor.decode(cursor)).isEqualTo(id);
            // fits a query parameter untouched and the spec's 200-character limit
            assertThat(cursor).matches("[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(200);
            assertThat(cursor).as("opaque: not the bare id").doesNotContain(id.toString());
        }
    }

    @Test
    void noCursorMeansTheFirstPage() {
        assertThat(Cursor.decode(null)).isNull();
        assertThat(Cursor.decode("")).isNull();
    }

    @Test
    void garbageIsA400NamingTheCursor() {
        String wrongVersion = b64("v2:" + UUID.randomUUID());
        String notAnId = b64("v1:not-a-uuid");
        String bareId = b64(UUID.randomUUID().toString());
        for (String garbage : new String[] {"!!!", "%%%", "abc", wrongVersion, notAnId, bareId, UUID.randomUUID().toString()}) {
            ApiProblemException e = catchThrowableOfType(ApiProblemException.class, () -> Cursor.decode(garbage));

            assertThat(e).as(garbage).isNotNull();
            assertThat(e.type()).isEqualTo(ProblemType.INVALID_PARAMETER);
            assertThat(e.type().status().value()).isEqualTo(400);
            assertThat(e.errors()).singleElement().satisfies(error -> {
                assertThat(error.field()).isEqualTo("cursor");
                assertThat(error.detail()).isNotBlank();
            });
        }
    }

    private static String b64(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
}
