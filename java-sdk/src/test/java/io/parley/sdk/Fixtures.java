package io.parley.sdk;

import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.CreatePersonaRequest;
import io.parley.sdk.model.PersonaKind;

import java.util.UUID;

/** JSON bodies shaped like platform-api's answers. */
final class Fixtures {
  static final UUID PERSONA_ID = UUID.fromString("0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d42");

  private Fixtures() {}

  static String persona(UUID id, String name) {
    return """
        {"id":"%s","name":"%s","kind":"santa","systemPrompt":"You are Santa.","firstMessage":"Ho ho ho!",
         "language":"en-US","voice":{"provider":"offline","voiceId":"cmu-slt-hsmm"},
         "createdAt":"2026-12-01T10:00:00Z","updatedAt":"2026-12-01T10:00:00Z"}""".formatted(id, name);
  }

  static String call(UUID id, String status) {
    return """
        {"id":"%s","personaId":"%s","to":"+447700900123","status":"%s","mode":"test",
         "scheduledAt":"2026-12-24T18:00:00Z","timeZone":"Europe/London","variables":{"child_name":"Ella"},
         "createdAt":"2026-12-01T10:00:00Z","updatedAt":"2026-12-01T10:00:00Z"}""".formatted(id, PERSONA_ID, status);
  }

  static CreatePersonaRequest santa() {
    return new CreatePersonaRequest().name("Santa Claus").kind(PersonaKind.SANTA)
        .systemPrompt("You are Santa Claus.").firstMessage("Ho ho ho!");
  }

  static CreateCallRequest callElla() {
    return new CreateCallRequest().personaId(PERSONA_ID).to("+447700900123");
  }
}
