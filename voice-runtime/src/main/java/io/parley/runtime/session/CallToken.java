package io.parley.runtime.session;

import java.time.Instant;
import java.util.UUID;

/** A verified call token: which call of which tenant this stream belongs to, and until when. */
public record CallToken(UUID callId, UUID tenantId, Instant expiresAt) {}
