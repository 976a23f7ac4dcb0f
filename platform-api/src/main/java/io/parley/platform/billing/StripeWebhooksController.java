package io.parley.platform.billing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /webhooks/stripe}: Stripe's events, verified by their signature (no credential), each applied once. */
@RestController
class StripeWebhooksController {

    private final StripeWebhooks webhooks;

    StripeWebhooksController(StripeWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping(path = "/webhooks/stripe")
    ResponseEntity<Map<String, String>> receive(@RequestBody(required = false) byte[] body,
                                                @RequestHeader(name = "Stripe-Signature", required = false) String signature) {
        // the signature covers the body's exact bytes: read raw, never re-serialized
        String payload = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        StripeWebhooks.Outcome outcome = webhooks.receive(payload, signature);
        return ResponseEntity.ok(Map.of("received", outcome.name().toLowerCase(java.util.Locale.ROOT)));
    }
}
