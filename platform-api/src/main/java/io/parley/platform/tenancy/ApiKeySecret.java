package io.parley.platform.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A secret API key: {@code sk_test_} or {@code sk_live_} followed by 32 base62 characters (about
 * 190 bits). Keys this random need no slow hash: SHA-256 makes a stored hash useless to a thief.
 */
public record ApiKeySecret(String value) {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static ApiKeySecret generate(Mode mode) {
        StringBuilder key = new StringBuilder(prefixOf(mode));
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return new ApiKeySecret(key.toString());
    }

    /** Whether a bearer token is shaped like one of our keys (then it is checked as one, never as a JWT). */
    public static boolean looksLike(String token) {
        return token.startsWith("sk_test_") || token.startsWith("sk_live_");
    }

    public static String prefixOf(Mode mode) {
        return "sk_" + mode.wire() + "_";
    }

    /** The mode written in the key itself. */
    public Mode mode() {
        return value.startsWith("sk_live_") ? Mode.LIVE : Mode.TEST;
    }

    /** What a list shows: the mode prefix and four characters, e.g. {@code sk_test_4eC3}. */
    public String prefix() {
        return value.substring(0, Math.min(value.length(), prefixOf(mode()).length() + 4));
    }

    public String last4() {
        return value.substring(Math.max(0, value.length() - 4));
    }

    public byte[] hash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return prefix() + "…" + last4();
    }
}
