package io.parley.platform.telephony.twilio;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a webhook as Twilio does (X-Twilio-Signature): HMAC-SHA1 under the auth token over the full URL followed
 * by each POST parameter's name and value, sorted by name; Base64. Written from Twilio's description, apart
 * from twilio-java, and checked against Twilio's published example in {@link TwilioSignatureTests}.
 */
final class TwilioSigner {

    private TwilioSigner() {}

    static String sign(String authToken, String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
