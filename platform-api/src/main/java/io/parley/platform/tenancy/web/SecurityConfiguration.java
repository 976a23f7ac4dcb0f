package io.parley.platform.tenancy.web;

import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.ApiKeyService;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantService;
import io.parley.platform.web.ProblemType;
import io.parley.platform.web.RateLimitFilter;
import io.parley.platform.web.RateLimiter;
import io.parley.platform.web.ProblemWriter;
import io.parley.platform.web.TenantLogging;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import java.util.List;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may do what. Every {@code /v1} operation needs a credential; each needs a scope (API keys
 * list theirs, JWT roles map to them, call credentials carry only calls scopes and are confined to
 * their call's callee by the calls service). Health and metrics are open for probes and scrapers.
 * Missing or bad credentials answer 401, missing scope 403, both as problem documents.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    CallCredentials callCredentials(ParleyProperties properties, Clock clock) {
        return new CallCredentials(properties.auth().callCredentials(), clock);
    }

    @Bean
    AuthenticationManagerResolver<HttpServletRequest> parleyAuthentication(ApiKeyService apiKeys, TenantService tenants,
                                                                          CallCredentials callCredentials, ParleyProperties properties) {
        AuthenticationManager manager = new ParleyAuthenticationManager(apiKeys, tenants, callCredentials, properties,
                jwtDecoder(properties.auth().jwt()));
        return request -> manager;
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, AuthenticationManagerResolver<HttpServletRequest> authentication, ProblemWriter problems,
                            RateLimiter rateLimiter) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .cors(cors -> cors.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus").permitAll()
                        .requestMatchers("/error", "/v1/openapi.yaml").permitAll()
                        // carriers' webhooks: each is verified by its carrier's signature, not by a credential
                        .requestMatchers("/webhooks/**").permitAll()
                        .requestMatchers(POST, "/v1/tenants").hasAuthority(CallerAuthentication.Operator.AUTHORITY)
                        .requestMatchers("/v1/operator/**").hasAuthority(CallerAuthentication.Operator.AUTHORITY)
                        // bookings are taken by receptionists during calls: the calls scopes (a call credential has calls:write)
                        .requestMatchers(GET, "/v1/personas/*/availability", "/v1/bookings", "/v1/bookings/**")
                                .hasAnyAuthority(Scope.CALLS_READ.authority(), Scope.CALLS_WRITE.authority())
                        .requestMatchers(POST, "/v1/personas/*/bookings", "/v1/bookings/*/cancel").hasAuthority(Scope.CALLS_WRITE.authority())
                        // a persona's knowledge is searched during its calls (a call credential, calls:write), or read with personas:read
                        .requestMatchers(GET, "/v1/personas/*/knowledge/search")
                                .hasAnyAuthority(Scope.PERSONAS_READ.authority(), Scope.CALLS_WRITE.authority())
                        .requestMatchers(GET, "/v1/personas", "/v1/personas/**", "/v1/persona-templates", "/v1/persona-templates/**")
                                .hasAuthority(Scope.PERSONAS_READ.authority())
                        .requestMatchers("/v1/personas", "/v1/personas/**").hasAuthority(Scope.PERSONAS_WRITE.authority())
                        .requestMatchers(GET, "/v1/phone-numbers", "/v1/phone-numbers/**").hasAuthority(Scope.PERSONAS_READ.authority())
                        .requestMatchers("/v1/phone-numbers", "/v1/phone-numbers/**").hasAuthority(Scope.PERSONAS_WRITE.authority())
                        .requestMatchers(GET, "/v1/calls", "/v1/calls/**").hasAuthority(Scope.CALLS_READ.authority())
                        .requestMatchers("/v1/calls", "/v1/calls/**").hasAuthority(Scope.CALLS_WRITE.authority())
                        .requestMatchers(GET, "/v1/do-not-call", "/v1/do-not-call/**", "/v1/settings", "/v1/billing/subscription", "/v1/billing/usage",
                                "/v1/billing/spend-controls").hasAuthority(Scope.CALLS_READ.authority())
                        .requestMatchers("/v1/settings", "/v1/billing/spend-controls").hasAuthority(Scope.CALLS_WRITE.authority())
                        .requestMatchers(POST, "/v1/billing/checkout-session", "/v1/billing/portal-session", "/v1/billing/credits/checkout-session").hasAuthority(Scope.CALLS_WRITE.authority())
                        .requestMatchers("/v1/do-not-call", "/v1/do-not-call/**").hasAuthority(Scope.CALLS_WRITE.authority())
                        // the people calls go to: the calls scopes
                        .requestMatchers(GET, "/v1/callees", "/v1/callees/**").hasAuthority(Scope.CALLS_READ.authority())
                        .requestMatchers("/v1/callees", "/v1/callees/**").hasAuthority(Scope.CALLS_WRITE.authority())
                        .requestMatchers(GET, "/v1/api-keys", "/v1/api-keys/**").hasAuthority(Scope.API_KEYS_READ.authority())
                        .requestMatchers("/v1/api-keys", "/v1/api-keys/**").hasAuthority(Scope.API_KEYS_WRITE.authority())
                        .requestMatchers(GET, "/v1/webhook-endpoints", "/v1/webhook-endpoints/**", "/v1/webhook-deliveries/**")
                        .hasAuthority(Scope.WEBHOOKS_READ.authority())
                        .requestMatchers("/v1/webhook-endpoints", "/v1/webhook-endpoints/**", "/v1/webhook-deliveries/**")
                        .hasAuthority(Scope.WEBHOOKS_WRITE.authority())
                        .anyRequest().authenticated())
                .oauth2ResourceServer(oauth -> oauth
                        .bearerTokenResolver(bearerTokens())
                        .authenticationManagerResolver(authentication)
                        .authenticationEntryPoint((request, response, e) ->
                                problems.write(request, response, ProblemType.UNAUTHORIZED, "A valid API key or bearer token is required"))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(request, response, ProblemType.FORBIDDEN, "This credential lacks the scope or role this operation needs")))
                .exceptionHandling(ex -> ex
                        .authenticationEntryPoint((request, response, e) ->
                                problems.write(request, response, ProblemType.UNAUTHORIZED, "A valid API key or bearer token is required"))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(request, response, ProblemType.FORBIDDEN, "This credential lacks the scope or role this operation needs")))
                .addFilterAfter(new TenantLogging(), BearerTokenAuthenticationFilter.class)
                .addFilterAfter(new RateLimitFilter(rateLimiter, problems), TenantLogging.class);
        return http.build();
    }

    /** Open endpoints ignore credentials: a probe or a page holding an expired token still gets its answer. */
    static BearerTokenResolver bearerTokens() {
        DefaultBearerTokenResolver standard = new DefaultBearerTokenResolver();
        return request -> {
            String path = request.getRequestURI();
            if (path.startsWith("/actuator/") || path.startsWith("/webhooks/") || path.equals("/v1/openapi.yaml")) {
                return null;
            }
            return standard.resolve(request);
        };
    }

    /** The admin UI's JWT issuer; null (JWTs refused) when none is configured. Discovery is lazy, so start-up never waits on it. */
    static JwtDecoder jwtDecoder(ParleyProperties.Jwt jwt) {
        if (!jwt.configured()) {
            return null;
        }
        boolean hasIssuer = jwt.issuerUri() != null && !jwt.issuerUri().isBlank();
        if (jwt.jwkSetUri() != null && !jwt.jwkSetUri().isBlank()) {
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwt.jwkSetUri()).build();
            decoder.setJwtValidator(validator(jwt, hasIssuer ? JwtValidators.createDefaultWithIssuer(jwt.issuerUri()) : JwtValidators.createDefault()));
            return decoder;
        }
        return new SupplierJwtDecoder(() -> {
            JwtDecoder discovered = JwtDecoders.fromIssuerLocation(jwt.issuerUri());
            if (discovered instanceof NimbusJwtDecoder nimbus) {
                nimbus.setJwtValidator(validator(jwt, JwtValidators.createDefaultWithIssuer(jwt.issuerUri())));
            }
            return discovered;
        });
    }

    /** Time and issuer checks, plus the audience when one is configured (tokens the issuer made for other apps are refused). */
    private static OAuth2TokenValidator<Jwt> validator(ParleyProperties.Jwt jwt, OAuth2TokenValidator<Jwt> standard) {
        if (jwt.audience() == null || jwt.audience().isBlank()) {
            return standard;
        }
        return new DelegatingOAuth2TokenValidator<>(standard, new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
                aud -> aud != null && aud.contains(jwt.audience())));
    }
}
