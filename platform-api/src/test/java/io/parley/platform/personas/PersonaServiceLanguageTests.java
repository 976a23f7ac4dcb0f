package io.parley.platform.personas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import org.junit.jupiter.api.Test;

/** {@link PersonaService#normalizeLanguage}: BCP-47 tags in canonical case, anything else a 422 on {@code language}. */
class PersonaServiceLanguageTests {

    @Test
    void wellFormedTagsComeOutInCanonicalCase() {
        assertThat(PersonaService.normalizeLanguage("en-US")).isEqualTo("en-US");
        assertThat(PersonaService.normalizeLanguage("en-us")).isEqualTo("en-US");
        assertThat(PersonaService.normalizeLanguage("EN-GB")).isEqualTo("en-GB");
        assertThat(PersonaService.normalizeLanguage("fr")).isEqualTo("fr");
        assertThat(PersonaService.normalizeLanguage("DE")).isEqualTo("de");
        assertThat(PersonaService.normalizeLanguage("zh-hant-tw")).isEqualTo("zh-Hant-TW");
        assertThat(PersonaService.normalizeLanguage("es-419")).isEqualTo("es-419");
    }

    @Test
    void theDefaultIsItsOwnNormalForm() {
        assertThat(PersonaService.normalizeLanguage(PersonaService.DEFAULT_LANGUAGE)).isEqualTo(PersonaService.DEFAULT_LANGUAGE);
    }

    @Test
    void anythingElseIsA422OnLanguage() {
        for (String bad : new String[] {"", "english!", "en_US", "en--US", "x-private", "123", "en-US-", "-en", "toolonglanguage"}) {
            ApiProblemException e = catchThrowableOfType(ApiProblemException.class, () -> PersonaService.normalizeLanguage(bad));

            assertThat(e).as("'%s'", bad).isNotNull();
            assertThat(e.type()).isEqualTo(ProblemType.VALIDATION_ERROR);
            assertThat(e.type().status().value()).isEqualTo(422);
            assertThat(e.errors()).singleElement().satisfies(error -> assertThat(error.field()).isEqualTo("language"));
        }
    }
}
