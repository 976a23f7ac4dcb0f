package io.parley.platform.personas;

import io.parley.platform.tenancy.TenantId;
import java.time.Instant;
import java.util.UUID;

/** A persona was deleted; published inside the deleting transaction. */
public record PersonaDeleted(TenantId tenant, UUID persona, String actor, Instant at) {}
