package io.parley.platform.web;

import io.parley.platform.tenancy.web.CallerAuthentication;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Answers 429 (with {@code Retry-After}) once a tenant spends its request budget. Runs after authentication. */
public class RateLimitFilter extends OncePerRequestFilter {

    private final RateLimiter limiter;
    private final ProblemWriter problems;

    public RateLimitFilter(RateLimiter limiter, ProblemWriter problems) {
        this.limiter = limiter;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication auth) {
            RateLimiter.Decision decision = limiter.check(auth.getPrincipal().tenant());
            if (decision.remaining() >= 0) {
                response.setHeader("RateLimit-Remaining", Long.toString(decision.remaining()));
            }
            if (!decision.allowed()) {
                long seconds = Math.max(1, (long) Math.ceil(decision.retryAfter().toMillis() / 1000.0));
                response.setHeader("Retry-After", Long.toString(seconds));
                problems.write(request, response, ProblemType.RATE_LIMITED,
                        "Too many requests for this tenant; retry after " + seconds + " s");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
