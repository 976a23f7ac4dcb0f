package io.parley.runtime.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's request signature: base64(HMAC-SHA1(auth token, URL + each POST parameter's name and
 * value, sorted by name)). For the WebSocket upgrade there are no parameters. Twilio may sign the
 * URL with or without the default port, so both are accepted.
 */
public final class TwilioSignature {

    private final byte[] authToken;

    public TwilioSignature(String authToken) {
        this.authToken = authToken.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(String url, Map<String, String> parameters) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(parameters).forEach((k, v) -> data.append(k).append(v));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean valid(String url, Map<String, String> parameters, String signature) {
        if (signature == null) {
            return false;
        }
        for (String candidate : new String[] {url, withDefaultPort(url), withoutDefaultPort(url)}) {
            if (MessageDigest.isEqual(sign(candidate, parameters).getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    private static String withDefaultPort(String url) {
        java.net.URI uri = java.net.URI.create(url);
        if (uri.getPort() != -1) return url;
        int port = switch (uri.getScheme()) {
            case "https", "wss" -> 443;
            default -> 80;
        };
        return uri.getScheme() + "://" + uri.getRawAuthority() + ":" + port + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String withoutDefaultPort(String url) {
        return url.replaceFirst("^(https|wss)://([^/:]+):443", "$1://$2").replaceFirst("^(http|ws)://([^/:]+):80(?=/|$)", "$1://$2");
    }
}
