package io.parley.platform.tenancy;

import java.util.Objects;
import java.util.UUID;

/** A tenant's identity. Every tenant-owned row carries it; it comes only from the caller's credential. */
public record TenantId(UUID value) {

    public TenantId {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
