package io.parley.platform.tenancy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a credential may do. A write scope implies the matching read scope. */
public enum Scope {
    PERSONAS_READ("personas:read"),
    PERSONAS_WRITE("personas:write"),
    CALLS_READ("calls:read"),
    CALLS_WRITE("calls:write"),
    API_KEYS_READ("api_keys:read"),
    API_KEYS_WRITE("api_keys:write"),
    WEBHOOKS_READ("webhooks:read"),
    WEBHOOKS_WRITE("webhooks:write");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The Spring Security authority a request needs for this scope. */
    public String authority() {
        return "SCOPE_" + wire;
    }

    public static Optional<Scope> fromWire(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst();
    }

    /** Granted scopes: none listed means all; each write scope brings its read scope. */
    public static Set<Scope> granted(Set<Scope> listed) {
        if (listed.isEmpty()) {
            return EnumSet.allOf(Scope.class);
        }
        EnumSet<Scope> granted = EnumSet.copyOf(listed);
        if (listed.contains(PERSONAS_WRITE)) granted.add(PERSONAS_READ);
        if (listed.contains(CALLS_WRITE)) granted.add(CALLS_READ);
        if (listed.contains(API_KEYS_WRITE)) granted.add(API_KEYS_READ);
        if (listed.contains(WEBHOOKS_WRITE)) granted.add(WEBHOOKS_READ);
        return granted;
    }
}
