package io.parley.platform.tenancy;

import java.util.Set;

/**
 * Who is calling the API on behalf of a tenant: resolved once, from the credential, at the edge.
 *
 * @param tenant the tenant every read and write of this request is bound to
 * @param mode   test or live: test-mode calls never reach a real phone
 * @param actor  for event logs: {@code api_key:<id>}, {@code user:<subject>} or {@code call:<id>}
 * @param scopes what the credential may do
 * @param grant  null, except for a call credential: the one call, callee and persona it is confined to
 *               (scopes say which operations it may reach, the grant which objects)
 */
public record Caller(TenantId tenant, Mode mode, String actor, Set<Scope> scopes, CallGrant grant) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    /** A caller confined by its scopes only (API keys, JWTs). */
    public Caller(TenantId tenant, Mode mode, String actor, Set<Scope> scopes) {
        this(tenant, mode, actor, scopes, null);
    }
}
