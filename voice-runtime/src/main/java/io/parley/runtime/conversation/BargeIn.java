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
 *
 * <p>Before either rule decides, the bot <em>yields</em>: after {@code bargeInYield} of voice it falls
 * silent (the audio in flight is cleared and kept), as a person does on hearing someone start to talk.
 * If the rules then call it an interruption, nothing more is heard of the reply; if not (a cough, an
 * "uh-huh"), the bot resumes from the first chunk the caller did not hear. So the caller hears the bot
 * stop within {@code bargeInYield} while backchannels still do not cut the reply.
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

    /** When the bot falls silent for the caller's voice, if it does: the same conditions as {@link #voiceDeadline}. */
    Optional<Instant> yieldDeadline(boolean voiceActive, Instant voiceStartedAt, String callerText) {
        if (settings.bargeInYield().isZero()) return Optional.empty();
        if (!voiceActive || voiceStartedAt == null || turns.isBackchannelOnly(callerText)) return Optional.empty();
        return Optional.of(voiceStartedAt.plus(settings.bargeInYield()));
    }

    /** When sustained voice interrupts, if the voice is active and not (yet) known to be a backchannel. */
    Optional<Instant> voiceDeadline(boolean voiceActive, Instant voiceStartedAt, String callerText) {
        if (!voiceActive || voiceStartedAt == null || turns.isBackchannelOnly(callerText)) return Optional.empty();
        return Optional.of(voiceStartedAt.plus(settings.bargeInMinVoice()));
    }
}
