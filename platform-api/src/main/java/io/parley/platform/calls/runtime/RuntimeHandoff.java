package io.parley.platform.calls.runtime;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands a dialled call to the voice runtime (voice-runtime/README.md, "Redis formats", v1): before the carrier
 * is asked, the call's bootstrap is written to {@code call:{callId}} (field {@code bootstrap}: the persona as it
 * was when the call was placed, the variables, the limits, the callee and a call credential for platform tools) and a call token is
 * minted (HS256 with the secret shared with the runtime; {@code sub} the call, {@code tid} the tenant) for the
 * carrier to hand the runtime when the callee answers.
 *
 * <p>Compliance: the first utterance starts with the AI disclosure ({@code parley.compliance.ai-disclosure}),
 * and the opt-out key ends the call and lists the number (see {@link io.parley.platform.calls.DoNotCallList}).
 * A persona's flow goes as the bootstrap's {@code script}: with a language model the runtime has, the model follows it;
 * without one the runtime's scripted brain plays it (and a persona without a flow has a short chat).
 */
@Component
public class RuntimeHandoff {

    private static final Logger log = LoggerFactory.getLogger(RuntimeHandoff.class);
    static final String KEY_PREFIX = "call:";
    static final String FIELD = "bootstrap";

    private final ParleyProperties.Runtime settings;
    private final ParleyProperties.Compliance compliance;
    private final CallCredentials credentials;
    private final StringRedisTemplate redis;
    private final JsonMapper json;
    private final Clock clock;
    private final byte[] secret;

    public RuntimeHandoff(ParleyProperties properties, CallCredentials credentials, StringRedisTemplate redis, JsonMapper json, Clock clock) {
        this.settings = properties.runtime();
        this.compliance = properties.compliance();
        this.credentials = credentials;
        this.redis = redis;
        this.json = json;
        this.clock = clock;
        String key = settings.callTokenSecret();
        if (key == null || key.isBlank()) {
            this.secret = null;
            log.warn("PARLEY_CALL_TOKEN_SECRET is not set: calls are dialled without the voice runtime");
        } else if (key.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException("PARLEY_CALL_TOKEN_SECRET must be at least 32 bytes");
        } else {
            this.secret = key.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Whether calls are handed to a voice runtime. */
    public boolean enabled() {
        return secret != null;
    }

    /** Writes the call's bootstrap and answers the call token; empty when no runtime is configured. */
    public Optional<String> prepare(DispatchLedger.Begun begun) {
        if (secret == null) {
            return Optional.empty();
        }
        Duration maxLength = settings.maxCallLength();
        String key = KEY_PREFIX + begun.callId();
        redis.opsForHash().put(key, FIELD, json.writeValueAsString(bootstrap(begun)));
        redis.expire(key, settings.bootstrapTtl());
        return Optional.of(token(begun, maxLength.plus(settings.bootstrapTtl())));
    }

    /** What the runtime reads of the call (its bootstrap), as written to Redis by {@link #prepare}. */
    public Map<String, Object> bootstrap(DispatchLedger.Begun begun) {
        DispatchLedger.Snapshot s = begun.snapshot();
        Map<String, Object> persona = new LinkedHashMap<>();
        persona.put("id", s.personaId());
        persona.put("name", s.personaName());
        persona.put("kind", s.personaKind());
        persona.put("systemPrompt", s.systemPrompt());
        persona.put("firstMessage", firstUtterance(s.firstMessage(), s.record()));
        persona.put("language", s.language());
        // the persona's own settings over the platform's defaults, part by part and field by field
        Map<String, Object> own = s.settings() == null ? Map.of() : json.readValue(s.settings(), Map.class);
        Map<String, Object> voice = provider(s.voiceProvider(), s.voiceId());
        Map<String, Object> voiceSettings = withoutNulls(part(own, "voice"));
        Object similarity = voiceSettings.remove("similarityBoost");   // the runtime takes the providers' own names
        if (similarity != null) voiceSettings.put("similarity_boost", similarity);
        voice.put("settings", voiceSettings);
        persona.put("voice", voice);
        Map<String, Object> stt = part(own, "stt");
        persona.put("stt", provider((String) or(stt.get("provider"), settings.sttProvider()), null));
        Map<String, Object> llm = part(own, "llm");
        Map<String, Object> model = provider((String) or(llm.get("provider"), blankToNull(settings.llmProvider())), (String) llm.get("model"));
        if (llm.get("temperature") != null) model.put("settings", Map.of("temperature", llm.get("temperature")));
        persona.put("llm", model);
        Map<String, Object> ownLimits = part(own, "limits");
        Map<String, Object> limits = new LinkedHashMap<>();
        long longest = settings.maxCallLength().toSeconds();
        limits.put("maxCallSeconds", ownLimits.get("maxCallSeconds") instanceof Number n ? Math.min(n.longValue(), longest) : longest);
        limits.put("warningSecondsBefore", or(ownLimits.get("warningSecondsBefore"), 30));
        limits.put("warningText", or(ownLimits.get("warningText"), "We only have a moment left."));
        limits.put("goodbyeText", or(ownLimits.get("goodbyeText"), "Thank you for talking with me. Goodbye!"));
        limits.put("silenceTimeoutSeconds", or(ownLimits.get("silenceTimeoutSeconds"), 10));
        limits.put("stillThereText", or(ownLimits.get("stillThereText"), "Are you still there?"));
        limits.put("optOutDigit", blankToNull(compliance.optOutDigit()));
        if (ownLimits.get("endCallPhrases") != null) limits.put("endCallPhrases", ownLimits.get("endCallPhrases"));
        persona.put("limits", limits);
        // the persona's flow (the same shape: id, prompt, answers of keywords, reply, next, action): a language model follows
        // it, judging each answer, or the offline brain plays it; none: a free conversation (offline, a short chat)
        persona.put("script", s.flow() != null ? json.readValue(s.flow(), List.class) : List.of());
        // the platform tools the persona lists; the runtime offers them when it knows platform-api and the call has a credential
        persona.put("tools", s.tools() == null ? List.of() : s.tools());
        persona.put("childSafety", s.childSafety());
        // a flow step that books reads the caller's "tomorrow at ten" in the business's zone
        persona.put("bookingTimeZone", s.bookingTimeZone());
        // what it says to a caller who shows signs of harming themselves (none: the runtime's own)
        persona.put("crisisLine", blankToNull(compliance.crisisLine()));
        // whether such a caller is then put through to someone (the number stays here: the platform asks the carrier)
        persona.put("crisisTransfer", part(own, "safety").get("crisisTransferTo") != null);

        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("v", 1);
        bootstrap.put("callId", begun.callId());
        bootstrap.put("tenantId", begun.tenant().value());
        bootstrap.put("mode", begun.mode().wire());
        bootstrap.put("persona", persona);
        bootstrap.put("variables", s.variables());
        bootstrap.put("to", begun.to());
        bootstrap.put("timeZone", s.timeZone());
        // what the persona remembers of earlier calls with this number (persona memory on), oldest first
        if (s.memory() != null && !s.memory().isEmpty()) bootstrap.put("memory", s.memory());
        if (credentials.enabled()) {
            bootstrap.put("credential", credentials.mint(begun.tenant(), begun.mode(), new CallGrant(begun.callId(), s.personaId(), begun.to()),
                    Set.of(Scope.CALLS_WRITE), settings.maxCallLength()).value());
        }
        return bootstrap;
    }

    /** The persona's first message, after the AI disclosure and, on a recorded call, the recording disclosure. */
    String firstUtterance(String firstMessage, boolean recorded) {
        StringBuilder said = new StringBuilder();
        for (String disclosure : new String[] {compliance.aiDisclosure(), recorded ? compliance.recordingDisclosure() : null}) {
            if (disclosure != null && !disclosure.isBlank()) {
                said.append(disclosure.strip()).append(' ');
            }
        }
        return said.append(firstMessage).toString();
    }

    private String token(DispatchLedger.Begun begun, Duration lifetime) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(begun.callId().toString())
                    .claim("tid", begun.tenant().value().toString())
                    .expirationTime(Date.from(clock.instant().plus(lifetime)))
                    .build());
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(Map<String, Object> settings, String name) {
        return settings.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> values) {
        Map<String, Object> kept = new LinkedHashMap<>();
        values.forEach((k, v) -> { if (v != null) kept.put(k, v); });
        return kept;
    }

    private static <T> Object or(Object value, T otherwise) {
        return value != null ? value : otherwise;
    }

    private static Map<String, Object> provider(String provider, String voiceOrModel) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("provider", provider);
        p.put("voiceOrModel", voiceOrModel);
        p.put("settings", Map.of());
        return p;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
