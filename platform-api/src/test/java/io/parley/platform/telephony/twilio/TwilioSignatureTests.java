package io.parley.platform.telephony.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Twilio's published request-validation example: auth token 12345, this URL and these parameters give this signature. */
class TwilioSignatureTests {

    static final String TOKEN = "12345";
    static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final Map<String, String> PARAMS = Map.of(
            "CallSid", "CA1234567890ABCDE",
            "Caller", "+14158675309",
            "Digits", "1234",
            "From", "+14158675309",
            "To", "+18005551212");
    static final String SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    @Test
    void theValidatorTheWebhooksUseAcceptsTwiliosExampleAndNothingAltered() {
        RequestValidator validator = new RequestValidator(TOKEN);
        assertThat(validator.validate(URL, PARAMS, SIGNATURE)).isTrue();

        Map<String, String> tampered = new HashMap<>(PARAMS);
        tampered.put("Digits", "9999");
        assertThat(validator.validate(URL, tampered, SIGNATURE)).isFalse();
        assertThat(validator.validate(URL + "&baz=3", PARAMS, SIGNATURE)).isFalse();
        assertThat(validator.validate("https://mycompany.com/other.php?foo=1&bar=2", PARAMS, SIGNATURE)).isFalse();
        assertThat(new RequestValidator("54321").validate(URL, PARAMS, SIGNATURE)).isFalse();
        assertThat(validator.validate(URL, PARAMS, "")).isFalse();
    }

    @Test
    void theTestsSignerReproducesTwiliosExample() {
        assertThat(TwilioSigner.sign(TOKEN, URL, PARAMS)).isEqualTo(SIGNATURE);
    }
}
