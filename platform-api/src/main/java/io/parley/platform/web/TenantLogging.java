package io.parley.platform.web;

import io.parley.platform.tenancy.web.CallerAuthentication;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Puts the authenticated tenant in every log line of the request ({@code tenant=}). Runs after authentication. */
public class TenantLogging extends OncePerRequestFilter {

    public static final String MDC_KEY = "tenantId";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication auth) {
            MDC.put(MDC_KEY, auth.getPrincipal().tenant().toString());
        }
        chain.doFilter(request, response);
    }
}
