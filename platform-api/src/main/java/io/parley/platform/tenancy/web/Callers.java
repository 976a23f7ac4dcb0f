package io.parley.platform.tenancy.web;

import io.parley.platform.tenancy.Caller;
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
}
