package io.parley.platform.billing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stripe events built from Stripe's own fixture objects ({@code ../shared/vendor-specs/stripe/fixtures3.json}, copied to
 * the test resources), and signed as Stripe signs them: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}.
 */
final class StripeEvents {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNode FIXTURES = load();

    private StripeEvents() {}

    private static JsonNode load() {
        try (var in = StripeEvents.class.getResourceAsStream("/vendor-specs/stripe/fixtures3.json")) {
            if (in == null) throw new IllegalStateException("Stripe's fixtures are not at vendor-specs/stripe/fixtures3.json on the test classpath");
            return JSON.readTree(in).get("resources");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A copy of Stripe's fixture of {@code resource} ({@code subscription}, {@code invoice}, {@code checkout.session}) with {@code changes}. */
    static ObjectNode object(String resource, Map<String, Object> changes) {
        ObjectNode object = (ObjectNode) FIXTURES.get(resource).deepCopy();
        changes.forEach((field, value) -> object.set(field, JSON.valueToTree(value)));
        return object;
    }

    /** Stripe's event fixture, as {@code type} about {@code object}, made at {@code created} (unix seconds). */
    static String event(String type, ObjectNode object, long created, boolean livemode) {
        ObjectNode event = (ObjectNode) FIXTURES.get("event").deepCopy();
        event.put("id", "evt_" + UUID.randomUUID().toString().replace("-", ""));
        event.put("type", type);
        event.put("created", created);
        event.put("livemode", livemode);
        ((ObjectNode) event.get("data")).set("object", object);
        return JSON.writeValueAsString(event);
    }

    /** The {@code Stripe-Signature} header of {@code payload} signed with {@code secret} at {@code timestamp}. */
    static String signature(String payload, String secret, long timestamp) {
        return "t=" + timestamp + ",v1=" + v1(payload, secret, timestamp);
    }

    static String v1(String payload, String secret, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
