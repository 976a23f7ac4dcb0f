package io.parley.platform.tenancy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.parley.platform.config.ParleyProperties;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call credentials: the bearer credential the voice runtime sends to the public API (through java-sdk)
 * while one call runs, e.g. to schedule a call back. platform-api mints one per call when it dials and
 * puts it in the call's bootstrap; it names the tenant, the mode, the call, its callee and persona, and
 * a few scopes, and the API lets it do nothing beyond them (see {@link CallGrant}).
 *
 * <p>Format: {@code cc_test_} or {@code cc_live_}, then a JWS (HS256, {@code typ} {@value #TYPE_NAME})
 * with claims {@code sub} (call id), {@code tid} (tenant), {@code pid} (persona), {@code to} (callee),
 * {@code mode}, {@code scp}, {@code aud} {@value #AUDIENCE}, {@code iat} and {@code exp}. The prefix keeps it
 * apart from API keys and from the admin UI's JWTs, and says its mode at a glance.
 *
 * <p>Signed, not stored: checking one needs no database round trip and dialling writes nothing. The key
 * ({@code PARLEY_CALL_CREDENTIAL_SECRET}) is held by platform-api alone, unlike the call token secret it
 * shares with the runtime, so a runtime can use the credentials it was given but cannot make one for
 * another call, number or tenant. The price of not storing them is that one cannot be revoked before it
 * expires; so it lives only as long as its call can (the call's maximum length plus a margin, at most
 * {@link #MAX_LIFETIME}), and it is refused once its tenant is gone. A previous key can stay accepted
 * while the key is rotated. Without a key, none is minted and every one is refused.
 */
public final class CallCredentials {

    public static final String TEST_PREFIX = "cc_test_";
    public static final String LIVE_PREFIX = "cc_live_";
    static final String TYPE_NAME = "parley-call+jwt";
    static final String AUDIENCE = "parley-api";
    /** No credential outlives this, whatever the call's maximum length. */
    static final Duration MAX_LIFETIME = Duration.ofHours(6);
    /** Clock skew forgiven between the minting and the checking instance. */
    static final Duration SKEW = Duration.ofSeconds(30);
    /** The scopes a call credential may carry: its grant confines them to one callee. */
    static final Set<Scope> GRANTABLE = EnumSet.of(Scope.CALLS_READ, Scope.CALLS_WRITE);
    private static final int MAX_LENGTH = 4096;

    private static final Logger log = LoggerFactory.getLogger(CallCredentials.class);
    private static final JOSEObjectType TYPE = new JOSEObjectType(TYPE_NAME);

    private final MACSigner signer;
    private final List<MACVerifier> verifiers = new ArrayList<>();
    private final Duration margin;
    private final Clock clock;

    public CallCredentials(ParleyProperties.CallCredentials settings, Clock clock) {
        this.clock = clock;
        this.margin = settings.margin() == null ? Duration.ofMinutes(15) : settings.margin();
        try {
            if (isBlank(settings.secret())) {
                log.warn("PARLEY_CALL_CREDENTIAL_SECRET is not set: no call credentials are minted or accepted, so calls cannot use platform tools");
                this.signer = null;
                return;
            }
            byte[] key = key(settings.secret(), "PARLEY_CALL_CREDENTIAL_SECRET");
            this.signer = new MACSigner(key);
            verifiers.add(new MACVerifier(key));
            if (!isBlank(settings.previousSecret())) {
                verifiers.add(new MACVerifier(key(settings.previousSecret(), "PARLEY_CALL_CREDENTIAL_PREVIOUS_SECRET")));
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("Unusable call credential key: " + e.getMessage(), e);
        }
    }

    /** Whether a bearer token is shaped like a call credential (then it is checked as one, never as a JWT). */
    public static boolean looksLike(String token) {
        return token.startsWith(TEST_PREFIX) || token.startsWith(LIVE_PREFIX);
    }

    /** Whether this instance has a key, so it can mint and accept call credentials. */
    public boolean enabled() {
        return signer != null;
    }

    /**
     * A credential for one call: valid from now until {@code callMaxLength} plus the margin have passed
     * (at most {@link #MAX_LIFETIME}).
     *
     * @param scopes what it may do: {@code calls:write} (which brings {@code calls:read}) or {@code calls:read}
     * @throws IllegalStateException when no key is configured
     */
    public CallCredential mint(TenantId tenant, Mode mode, CallGrant grant, Set<Scope> scopes, Duration callMaxLength) {
        if (signer == null) {
            throw new IllegalStateException("PARLEY_CALL_CREDENTIAL_SECRET is not set: call credentials cannot be minted");
        }
        if (scopes.isEmpty() || !GRANTABLE.containsAll(scopes)) {
            throw new IllegalArgumentException("A call credential carries calls:read and/or calls:write, not " + scopes);
        }
        if (callMaxLength.isNegative() || callMaxLength.isZero()) {
            throw new IllegalArgumentException("callMaxLength must be positive");
        }
        Instant now = clock.instant();
        Duration lifetime = callMaxLength.plus(margin);
        Instant expiresAt = now.plus(lifetime.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(grant.callId().toString())
                .audience(AUDIENCE)
                .claim("tid", tenant.value().toString())
                .claim("pid", grant.personaId().toString())
                .claim("to", grant.to())
                .claim("mode", mode.wire())
                .claim("scp", scopes.stream().map(Scope::wire).sorted().toList())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return new CallCredential(prefixOf(mode) + jwt.serialize(), expiresAt);
    }

    /**
     * The caller a bearer token stands for, if it is a call credential signed with our key, unaltered and
     * not expired; empty otherwise. Its actor is {@code call:<id>}; its grant confines it to that call.
     */
    public Optional<Caller> authenticate(String token) {
        if (signer == null || token == null || !looksLike(token) || token.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Mode prefixMode = token.startsWith(LIVE_PREFIX) ? Mode.LIVE : Mode.TEST;
        try {
            SignedJWT jwt = SignedJWT.parse(token.substring(TEST_PREFIX.length()));
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !TYPE.equals(jwt.getHeader().getType())
                    || !verifiedByAnyKey(jwt)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (exp == null || clock.instant().isAfter(exp.toInstant().plus(SKEW))
                    || claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)
                    || !prefixMode.wire().equals(claims.getStringClaim("mode"))) {
                return Optional.empty();
            }
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            List<String> listed = claims.getStringListClaim("scp");
            if (listed != null) {
                listed.forEach(s -> Scope.fromWire(s).filter(GRANTABLE::contains).ifPresent(scopes::add));
            }
            if (scopes.isEmpty()) {
                return Optional.empty(); // never "no scopes listed means all", as it does for API keys
            }
            UUID callId = UUID.fromString(claims.getSubject());
            CallGrant grant = new CallGrant(callId, UUID.fromString(claims.getStringClaim("pid")), claims.getStringClaim("to"));
            return Optional.of(new Caller(new TenantId(UUID.fromString(claims.getStringClaim("tid"))), prefixMode, grant.actor(),
                    Scope.granted(scopes), grant));
        } catch (ParseException | JOSEException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private boolean verifiedByAnyKey(SignedJWT jwt) throws JOSEException {
        for (MACVerifier verifier : verifiers) {
            if (jwt.verify(verifier)) {
                return true;
            }
        }
        return false;
    }

    static String prefixOf(Mode mode) {
        return mode == Mode.LIVE ? LIVE_PREFIX : TEST_PREFIX;
    }

    private static byte[] key(String secret, String name) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException(name + " must be at least 32 bytes");
        }
        return key;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
