package io.parley.platform.telephony.twilio;

import com.twilio.security.RequestValidator;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Twilio's webhooks: {@code POST /webhooks/twilio/status} (call status callbacks) and {@code POST
 * /webhooks/twilio/answer} (what an answered call does), {@code POST /webhooks/twilio/voice} (a call to one of the
 * tenants' numbers). Each is verified with {@code X-Twilio-Signature}
 * (HMAC-SHA1 under the account's auth token over the URL Twilio called, as {@code parley.telephony.twilio.public-url}
 * names it, and the form parameters) and must come from this account; anything else is refused with 403 before it
 * is read further.
 */
@RestController
@ConditionalOnTwilio
@RequestMapping("/webhooks/twilio")
class TwilioWebhooksController {

    private static final Logger log = LoggerFactory.getLogger(TwilioWebhooksController.class);

    private final TwilioCallbacks callbacks;
    private final RequestValidator validator;
    private final String accountSid;
    private final String publicUrl;

    TwilioWebhooksController(TwilioCallbacks callbacks, io.parley.platform.config.ParleyProperties properties) {
        var settings = properties.telephony().twilio();
        this.callbacks = callbacks;
        this.validator = new RequestValidator(settings.authToken());
        this.accountSid = settings.accountSid();
        this.publicUrl = settings.publicUrl().toString().replaceAll("/+$", "");
    }

    @PostMapping(path = "/status", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<Void> status(HttpServletRequest request, @RequestParam(name = "attempt", required = false) UUID attempt,
                                @RequestHeader(name = "I-Twilio-Idempotency-Token", required = false) String idempotencyToken) {
        Map<String, String> params = verified(request);
        TwilioCallbacks.Outcome outcome = callbacks.status(attempt, params, idempotencyToken);
        log.debug("Twilio status {} of {}: {}", params.get("CallStatus"), params.get("CallSid"), outcome);
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/answer", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.APPLICATION_XML_VALUE)
    ResponseEntity<String> answer(HttpServletRequest request, @RequestParam(name = "attempt", required = false) UUID attempt) {
        Map<String, String> params = verified(request);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML).body(callbacks.answer(attempt, params));
    }

    /** A recording status callback (a recorded call's recording is ready at Twilio). */
    @PostMapping(path = "/recording", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<Void> recording(HttpServletRequest request,
                                   @RequestHeader(name = "I-Twilio-Idempotency-Token", required = false) String idempotencyToken) {
        callbacks.recording(verified(request), idempotencyToken);
        return ResponseEntity.noContent().build();
    }

    /** A call to one of the tenants' numbers (the number's voice URL, set when it was registered). */
    @PostMapping(path = "/voice", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE, produces = MediaType.APPLICATION_XML_VALUE)
    ResponseEntity<String> voice(HttpServletRequest request) {
        Map<String, String> params = verified(request);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML).body(callbacks.inbound(params));
    }

    /** The form parameters of a request Twilio signed, or 403. */
    private Map<String, String> verified(HttpServletRequest request) {
        String signature = request.getHeader("X-Twilio-Signature");
        if (signature == null || signature.isBlank()) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "X-Twilio-Signature is missing: this endpoint takes only Twilio's signed webhooks");
        }
        String query = request.getQueryString();
        String url = publicUrl + request.getRequestURI() + (query == null ? "" : "?" + query);
        Map<String, String> params = formParameters(request, query);
        if (!validator.validate(url, params, signature)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "X-Twilio-Signature does not match this request");
        }
        if (!accountSid.equals(params.get("AccountSid"))) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "This webhook is for another Twilio account");
        }
        return params;
    }

    /** The body's form parameters: the request's parameters less those only in the query string (which the URL signs). */
    private static Map<String, String> formParameters(HttpServletRequest request, String query) {
        Set<String> fromQuery = new HashSet<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                fromQuery.add(URLDecoder.decode(name, StandardCharsets.UTF_8));
            }
        }
        Map<String, String> params = new TreeMap<>();
        request.getParameterMap().forEach((name, values) -> {
            if (!fromQuery.contains(name) && values.length > 0) {
                params.put(name, values[0]);
            }
        });
        return params;
    }
}
