package io.parley.platform.calls;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneRulesProvider;
import java.util.List;

/**
 * When a call happens, in the callee's time zone.
 *
 * <p>A local date-time is read in its zone by one documented rule (the API's {@code localTime}):
 * <ul>
 *   <li>a time that does not exist (clocks go forward: 02:30 on a spring-forward night) moves later by
 *       the length of the gap (03:30);</li>
 *   <li>a time that exists twice (clocks go back: 01:30 on a fall-back night) is its first occurrence,
 *       the earlier instant (summer time).</li>
 * </ul>
 * When no zone is given, the callee's number gives one (libphonenumber's prefix data); a number whose
 * prefix spans several zones (a mobile number of a wide country) has them all: the first names the call's
 * zone, and the calling window must hold in every one.
 */
public final class CallTime {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final PhoneNumberToTimeZonesMapper ZONES = PhoneNumberToTimeZonesMapper.getInstance();
    /** The zones this JVM knows (ZoneRulesProvider copies the set on every call: read once). */
    private static final java.util.Set<String> KNOWN = java.util.Set.copyOf(ZoneRulesProvider.getAvailableZoneIds());
    /** A number's zones, by number: parsing and the prefix lookup cost more than a dispatch's database work. */
    private static final LoadingCache<String, List<ZoneId>> ZONES_BY_NUMBER = Caffeine.newBuilder().maximumSize(100_000)
            .build(CallTime::lookUpZones);

    private CallTime() {}

    /** {@code local} in {@code zone}, by the rule above. */
    public static Instant resolve(LocalDateTime local, ZoneId zone) {
        // ZonedDateTime.of shifts a gap forward by its length and keeps the earlier offset in an overlap.
        return ZonedDateTime.of(local, zone).toInstant();
    }

    /** The zones the number's prefix lies in, best first; empty when the data cannot tell. */
    public static List<ZoneId> zonesOf(String e164) {
        return ZONES_BY_NUMBER.get(e164);
    }

    private static List<ZoneId> lookUpZones(String e164) {
        try {
            var number = PHONES.parse(e164, null);
            return ZONES.getTimeZonesForNumber(number).stream()
                    .filter(KNOWN::contains)
                    .map(ZoneId::of)
                    .toList();
        } catch (NumberParseException e) {
            return List.of();
        }
    }
}
