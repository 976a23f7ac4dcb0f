package io.parley.platform.tenancy;

import java.time.Instant;

/**
 * A minted call credential ({@code cc_test_...} or {@code cc_live_...}) and when it stops working. The
 * value goes into the call's bootstrap for the voice runtime and nowhere else; {@link #toString()}
 * never shows it.
 */
public record CallCredential(String value, Instant expiresAt) {

    @Override
    public String toString() {
        return value.substring(0, Math.min(value.length(), CallCredentials.TEST_PREFIX.length())) + "…(expires " + expiresAt + ")";
    }
}
