package io.parley.platform.tenancy;

import java.util.Set;

/**
 * Who is calling the API on behalf of a tenant: resolved once, from the credential, at the edge.
 *
 * @param tenant the tenant every read and write of this request is bound to
 * @param mode   test or live: test-mode calls never reach a real phone
 * @param actor  for event logs: {@code api_key:<id>} or {@code user:<subject>}
 * @param scopes what the credential may do
 */
public record Caller(TenantId tenant, Mode mode, String actor, Set<Scope> scopes) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }
}
