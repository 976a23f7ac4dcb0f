package io.parley.runtime.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioSignatureTests {

    // twilio-java's RequestValidatorTest vector
    static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final Map<String, String> PARAMS = Map.of(
            "CallSid", "CA1234567890ABCDE",
            "Caller", "+14158675309",
            "Digits", "1234",
            "From", "+14158675309",
            "To", "+18005551212");

    final TwilioSignature signature = new TwilioSignature("12345");

    @Test
    void matchesTwiliosPublishedVector() {
        assertThat(signature.sign(URL, PARAMS)).isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assertThat(signature.valid(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isTrue();
    }

    @Test
    void matchesTheVectorOfTwiliosSecurityDocs() {
        Map<String, String> params = Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+12349013030", "Digits", "1234",
                "From", "+12349013030", "To", "+18005551212");
        assertThat(signature.sign(URL, params)).isEqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }

    @Test
    void acceptsTheUrlWithOrWithoutTheDefaultPort() {
        String withPort = signature.sign("wss://runtime.parley.dev:443/media-stream", Map.of());
        assertThat(signature.valid("wss://runtime.parley.dev/media-stream", Map.of(), withPort)).isTrue();
        String withoutPort = signature.sign("wss://runtime.parley.dev/media-stream", Map.of());
        assertThat(signature.valid("wss://runtime.parley.dev:443/media-stream", Map.of(), withoutPort)).isTrue();
    }

    @Test
    void refusesAnythingElse() {
        assertThat(signature.valid(URL, PARAMS, null)).isFalse();
        assertThat(signature.valid(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8")).isFalse();
        assertThat(signature.valid(URL + "&x=1", PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
        assertThat(new TwilioSignature("54321").valid(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
    }
}
