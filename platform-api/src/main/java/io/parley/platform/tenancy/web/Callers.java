package io.parley.platform.tenancy.web;

import io.parley.platform.tenancy.Caller;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import org.springframework.security.core.context.SecurityContextHolder;

/** The current request's caller, as the security filter chain authenticated it. */
public final class Callers {

    private Callers() {}

    public static Caller current() {
        if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication auth) {
            return auth.getPrincipal();
        }
        // the filter chain lets no unauthenticated request reach a tenant endpoint
        throw new IllegalStateException("No tenant caller on this request");
    }

    /**
     * The current caller, unless it holds a call credential: {@code what} is the tenant's, not one call's, so a call
     * credential may not reach it (403).
     */
    public static Caller tenantWide(String what) {
        Caller caller = current();
        if (caller.grant() != null) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential cannot reach " + what);
        }
        return caller;
    }
}
