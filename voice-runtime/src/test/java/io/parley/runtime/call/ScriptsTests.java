package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationSettings;
import io.parley.runtime.session.CallBootstrap;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScriptsTests {

    private static ConversationSettings settings(CallBootstrap.TurnTaking turns) {
        CallBootstrap.Persona persona = new CallBootstrap.Persona(UUID.randomUUID(), "Coach", "companion", "Be brief.", "Hi!",
                "en-US", null, null, null, null, null, null, turns);
        return Scripts.settings(persona, Map.of(), null);
    }

    @Test
    void aPersonaWithoutTurnTakingGetsTheEngineDefaults() {
        ConversationSettings defaults = ConversationSettings.builder().build();
        ConversationSettings settings = settings(null);

        assertThat(settings.endOfUtteranceSilence()).isEqualTo(defaults.endOfUtteranceSilence());
        assertThat(settings.extendedEndOfUtteranceSilence()).isEqualTo(defaults.extendedEndOfUtteranceSilence());
        assertThat(settings.bargeInMinVoice()).isEqualTo(defaults.bargeInMinVoice());
        assertThat(settings.bargeInYield()).isEqualTo(Duration.ofMillis(80));
        assertThat(settings.firstMessageInterruptible()).isFalse();
    }

    @Test
    void aPersonaSetsItsOwnTurnTaking() {
        ConversationSettings settings = settings(new CallBootstrap.TurnTaking(900, 2_000, 400, 0, true));

        assertThat(settings.endOfUtteranceSilence()).isEqualTo(Duration.ofMillis(900));
        assertThat(settings.extendedEndOfUtteranceSilence()).isEqualTo(Duration.ofMillis(2_000));
        assertThat(settings.bargeInMinVoice()).isEqualTo(Duration.ofMillis(400));
        assertThat(settings.bargeInYield()).as("0: never yield").isZero();
        assertThat(settings.firstMessageInterruptible()).isTrue();
    }

    @Test
    void valuesOutOfRangeAreBroughtIntoItInsteadOfFailingTheCall() {
        ConversationSettings settings = settings(new CallBootstrap.TurnTaking(-5, 100, 99_999, 5_000, null));

        assertThat(settings.endOfUtteranceSilence()).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.extendedEndOfUtteranceSilence()).as("never shorter than the normal silence").isEqualTo(Duration.ofMillis(200));
        assertThat(settings.bargeInMinVoice()).isEqualTo(Duration.ofMillis(2_000));
        assertThat(settings.bargeInYield()).as("always shorter than the barge-in").isEqualTo(Duration.ofMillis(1_999));
    }
}
