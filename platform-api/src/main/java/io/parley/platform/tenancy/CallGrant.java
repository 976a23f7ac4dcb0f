package io.parley.platform.tenancy;

import java.util.Objects;
import java.util.UUID;

/**
 * What a call credential confines its holder to: placing calls to {@code to} with {@code personaId}
 * (the running call's callee and persona), reading the call {@code callId} itself, and reading and
 * canceling the calls it created. The tenant and the mode come with the {@link Caller}.
 *
 * @param callId    the running call the credential was minted for
 * @param personaId that call's persona
 * @param to        that call's callee, in E.164
 */
public record CallGrant(UUID callId, UUID personaId, String to) {

    public CallGrant {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(personaId, "personaId");
        Objects.requireNonNull(to, "to");
    }

    /** The actor a call credential writes into event logs: {@code call:<id>}. */
    public String actor() {
        return "call:" + callId;
    }
}
