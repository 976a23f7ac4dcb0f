package io.parley.runtime.conversation;

import java.time.Instant;
import java.util.Optional;

/**
 * When the caller takes the floor from the bot. Either rule interrupts:
 * <ul>
 *   <li>words: the caller's transcript during the bot's reply has at least {@code bargeInMinWords}
 *       words that are not backchannels;</li>
 *   <li>voice: the caller's voice has lasted {@code bargeInMinVoice}, unless every word transcribed so
 *       far is a backchannel ("uh-huh" while the bot talks is listening, not interrupting).</li>
 * </ul>
 * A backchannel that takes longer than {@code bargeInMinVoice} before its first interim arrives does
 * interrupt: the engine cannot know yet that it was one. Fast interims (or a longer {@code bargeInMinVoice})
 * avoid that.
 */
final class BargeIn {

    private final ConversationSettings settings;
    private final TurnDetector turns;

    BargeIn(ConversationSettings settings, TurnDetector turns) {
        this.settings = settings;
        this.turns = turns;
    }

    boolean byWords(String callerText) {
        return turns.nonBackchannelWordCount(callerText) >= settings.bargeInMinWords();
    }

    /** When sustained voice interrupts, if the voice is active and not (yet) known to be a backchannel. */
    Optional<Instant> voiceDeadline(boolean voiceActive, Instant voiceStartedAt, String callerText) {
        if (!voiceActive || voiceStartedAt == null || turns.isBackchannelOnly(callerText)) return Optional.empty();
        return Optional.of(voiceStartedAt.plus(settings.bargeInMinVoice()));
    }
}
