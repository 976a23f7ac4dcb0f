package io.parley.platform.calls;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/** Phone numbers as Parley keeps them: E.164, valid for their country by libphonenumber. */
public final class PhoneNumbers {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {}

    /** {@code text} in E.164 if it is a valid number of its country (an international number with its {@code +}). */
    public static Optional<String> e164(String text) {
        if (text == null || text.length() > 64) {
            return Optional.empty();
        }
        try {
            PhoneNumber number = PHONES.parse(text, null);
            if (PHONES.isValidNumber(number)) {
                return Optional.of(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
            }
        } catch (NumberParseException e) {
            // not a number
        }
        return Optional.empty();
    }
}
