/**
 * The conversation of a call, as plain Java: no Spring, no I/O, no threads, no wall clock.
 *
 * <p>{@link io.parley.runtime.conversation.ConversationEngine} is a deterministic state machine. The
 * runtime feeds it {@link io.parley.runtime.conversation.ConversationInput}s translated from Twilio
 * Media Streams, STT, the language model and TTS, carries out the
 * {@link io.parley.runtime.conversation.ConversationCommand}s it returns (in order), keeps one timer
 * at {@link io.parley.runtime.conversation.ConversationEngine#nextDeadline()}, and stores
 * {@link io.parley.runtime.conversation.ConversationEngine#snapshot()} so another instance can
 * {@link io.parley.runtime.conversation.ConversationEngine#restore restore} the call.
 * {@link io.parley.runtime.conversation.ConversationSettings} holds a persona's lines and timings;
 * {@link io.parley.runtime.conversation.ScriptedBrain} stands in for the language model for scripted
 * personas. Everything else here is package-private.
 */
package io.parley.runtime.conversation;
