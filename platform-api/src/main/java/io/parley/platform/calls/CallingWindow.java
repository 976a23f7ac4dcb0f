package io.parley.platform.calls;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.ShortNumberInfo;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The compliance guard checked at the moment of dialling: the hours a callee may be called, in the
 * callee's local time ({@code start} inclusive to {@code end} exclusive, default 08:00–21:00), and numbers
 * never dialled (emergency and premium-rate). A call whose zone was inferred from a number spanning several
 * zones is dialled only when the window holds in every one of them.
 */
public record CallingWindow(boolean enabled, LocalTime start, LocalTime end) {

    /** Parley's default window, 08:00–21:00. */
    public static final LocalTime DEFAULT_START = LocalTime.of(8, 0);
    public static final LocalTime DEFAULT_END = LocalTime.of(21, 0);

    /** No window and no number checks (tests of dispatch alone). */
    public static final CallingWindow OFF = new CallingWindow(false, LocalTime.MIN, LocalTime.MAX);

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    public CallingWindow {
        if (enabled && !start.isBefore(end)) {
            throw new IllegalArgumentException("the calling window must start before it ends: " + start + "–" + end);
        }
    }

    /** Why {@code to} may never be dialled, or empty. */
    public Optional<String> forbidden(String to) {
        if (!enabled) {
            return Optional.empty();
        }
        try {
            var number = PHONES.parse(to, null);
            String region = PHONES.getRegionCodeForCountryCode(number.getCountryCode());
            if (region != null && ShortNumberInfo.getInstance().isEmergencyNumber(PHONES.getNationalSignificantNumber(number), region)) {
                return Optional.of("an emergency number is never dialled");
            }
            if (PHONES.getNumberType(number) == PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE) {
                return Optional.of("a premium-rate number is never dialled");
            }
        } catch (NumberParseException e) {
            return Optional.of("not a number that can be dialled");
        }
        return Optional.empty();
    }

    /** The zones the window must hold in: the call's, or every zone of its number when the zone was inferred. */
    public static List<ZoneId> zones(Call call) {
        if (call.timeZone() == null || "inferred".equals(call.timeZoneSource())) {
            List<ZoneId> zones = CallTime.zonesOf(call.to());
            if (!zones.isEmpty()) {
                return zones;
            }
        }
        return call.timeZone() == null ? List.of() : List.of(ZoneId.of(call.timeZone()));
    }

    /** The first instant at or after {@code now} inside the window in all {@code zones}; {@code now} itself when it is. */
    public Instant next(Instant now, List<ZoneId> zones) {
        if (!enabled || zones.isEmpty()) {
            return now;
        }
        Instant at = now;
        for (int i = 0; i < 8; i++) {   // each round moves to the latest zone's next opening; zones within a day agree fast
            Instant latest = at;
            for (ZoneId zone : zones) {
                Instant open = nextOpen(at, zone);
                if (open.isAfter(latest)) {
                    latest = open;
                }
            }
            if (latest.equals(at)) {
                return at;
            }
            at = latest;
        }
        return at;
    }

    private Instant nextOpen(Instant at, ZoneId zone) {
        ZonedDateTime local = at.atZone(zone);
        LocalTime time = local.toLocalTime();
        if (!time.isBefore(start) && time.isBefore(end)) {
            return at;
        }
        ZonedDateTime open = local.toLocalDate().atTime(start).atZone(zone);
        return time.isBefore(start) ? open.toInstant() : open.plusDays(1).toInstant();
    }
}
