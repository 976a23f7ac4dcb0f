package io.parley.platform.tenancy.web;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.ApiKeySecret;
import io.parley.platform.tenancy.ApiKeyService;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * One bearer token, four kinds of credential: {@code sk_test_}/{@code sk_live_} API keys (servers,
 * the SDK), {@code cc_test_}/{@code cc_live_} call credentials (the voice runtime, for one running
 * call), the operator token (tenant creation), and JWTs from the configured issuer (the admin UI),
 * whose claims carry the tenant and a role. The prefixes are checked first: a call credential is a
 * JWS too, and must never be taken for the admin UI's JWTs.
 */
final class ParleyAuthenticationManager implements AuthenticationManager {

    private final ApiKeyService apiKeys;
    private final TenantService tenants;
    private final CallCredentials callCredentials;
    private final byte[] operatorToken;
    private final JwtAuthenticationProvider jwt;
    private final ParleyProperties.Jwt jwtSettings;

    ParleyAuthenticationManager(ApiKeyService apiKeys, TenantService tenants, CallCredentials callCredentials,
                                ParleyProperties properties, JwtDecoder jwtDecoder) {
        this.apiKeys = apiKeys;
        this.tenants = tenants;
        this.callCredentials = callCredentials;
        String operator = properties.operatorToken();
        this.operatorToken = operator == null || operator.isBlank() ? null : operator.getBytes(StandardCharsets.UTF_8);
        this.jwtSettings = properties.auth().jwt();
        if (jwtDecoder == null) {
            this.jwt = null;
        } else {
            this.jwt = new JwtAuthenticationProvider(jwtDecoder);
            this.jwt.setJwtAuthenticationConverter(this::fromJwt);
        }
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (ApiKeySecret.looksLike(token)) {
            return apiKeys.authenticate(token)
                    .map(CallerAuthentication::new)
                    .orElseThrow(() -> new InvalidBearerTokenException("Invalid or revoked API key"));
        }
        if (CallCredentials.looksLike(token)) {
            return callCredentials.authenticate(token)
                    .filter(caller -> tenants.find(caller.tenant()).isPresent()) // a tenant that is gone takes its calls' credentials along
                    .map(CallerAuthentication::new)
                    .orElseThrow(() -> new InvalidBearerTokenException("Invalid or expired call credential"));
        }
        if (operatorToken != null && MessageDigest.isEqual(operatorToken, token.getBytes(StandardCharsets.UTF_8))) {
            return new CallerAuthentication.Operator();
        }
        if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
            return jwt.authenticate(authentication);
        }
        throw new InvalidBearerTokenException("Invalid bearer token");
    }

    private CallerAuthentication fromJwt(Jwt token) {
        String tenantClaim = token.getClaimAsString(jwtSettings.tenantClaim());
        TenantId tenant;
        try {
            tenant = new TenantId(UUID.fromString(tenantClaim));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidBearerTokenException("The token names no tenant");
        }
        if (tenants.find(tenant).isEmpty()) {
            throw new InvalidBearerTokenException("The token's tenant does not exist");
        }
        Set<Scope> scopes = scopesOf(token.getClaimAsString(jwtSettings.roleClaim()));
        Mode mode = "live".equals(token.getClaimAsString("mode")) ? Mode.LIVE : Mode.TEST;
        return new CallerAuthentication(new Caller(tenant, mode, "user:" + token.getSubject(), scopes));
    }

    /** admin: everything; member: personas and calls, reading keys; viewer: reading. Unknown roles get nothing. */
    static Set<Scope> scopesOf(String role) {
        if (role == null) {
            return EnumSet.noneOf(Scope.class);
        }
        return switch (role) {
            case "admin" -> EnumSet.allOf(Scope.class);
            case "member" -> EnumSet.of(Scope.PERSONAS_READ, Scope.PERSONAS_WRITE, Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.API_KEYS_READ);
            case "viewer" -> EnumSet.of(Scope.PERSONAS_READ, Scope.CALLS_READ, Scope.API_KEYS_READ);
            default -> EnumSet.noneOf(Scope.class);
        };
    }
}
