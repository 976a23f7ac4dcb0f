package io.parley.runtime.conversation;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A day and a time as a caller says them, in English: "tomorrow at ten thirty", "Monday at 2pm", "half past nine on
 * the 7th of December", "10:15 a.m.", "December 7". What a recogniser writes (words, offline) and what a cloud one
 * writes (digits and punctuation) read the same.
 *
 * <ul>
 *   <li>Days: {@code today}, {@code tomorrow}, {@code the day after tomorrow}, a weekday (the next one after today:
 *       said on a Monday, "Monday" is a week away), a day of a month ("December 7", "the 7th of December", "seventh of
 *       December"; a date already past is next year's), or {@code 2026-12-07}.</li>
 *   <li>Times: an hour (1–12 in words or digits, 0–23 in digits), then minutes ("thirty", "forty five", "oh five",
 *       {@code :30}), or "o'clock"; "half past", "quarter past", "quarter to"; "noon". {@code a.m.}/{@code p.m.} and "in
 *       the morning/afternoon/evening" say which half of the day. Without them an hour from 1 to 7 is in the afternoon:
 *       a business's hours, not the small hours.</li>
 * </ul>
 * No maintained Java library reads spoken English times offline (Natty, the usual choice, was last released in 2017
 * and reads written dates), so this is small and ours.
 */
public final class SpokenTime {

    /** What was heard: a day, a time, or both (never neither). */
    public record Heard(LocalDate date, LocalTime time) {}

    private static final Map<String, Integer> UNITS = new HashMap<>();
    private static final Map<String, Integer> TEENS = new HashMap<>();
    private static final Map<String, Integer> TENS = Map.of("twenty", 20, "thirty", 30, "forty", 40, "fifty", 50);
    private static final Map<String, Integer> ORDINALS = new HashMap<>();
    private static final Map<String, Month> MONTHS = new HashMap<>();
    private static final Map<String, DayOfWeek> WEEKDAYS = new HashMap<>();
    private static final String[] HOUR_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"};
    private static final List<String> SPOKEN_MINUTES = List.of("", "fifteen", "thirty", "forty five");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM", Locale.ENGLISH);

    static {
        String[] units = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
        for (int i = 0; i < units.length; i++) UNITS.put(units[i], i);
        String[] teens = {"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
        for (int i = 0; i < teens.length; i++) TEENS.put(teens[i], 10 + i);
        String[] ordinals = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
                "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"};
        for (int i = 0; i < ordinals.length; i++) ORDINALS.put(ordinals[i], i + 1);
        ORDINALS.put("twentieth", 20);
        ORDINALS.put("thirtieth", 30);
        for (Month m : Month.values()) {
            String name = m.name().toLowerCase(Locale.ROOT);
            MONTHS.put(name, m);
            MONTHS.put(name.substring(0, 3), m);
        }
        MONTHS.put("sept", Month.SEPTEMBER);   // a month counts only with a day next to it, so "may I" is no date
        for (DayOfWeek d : DayOfWeek.values()) WEEKDAYS.put(d.name().toLowerCase(Locale.ROOT), d);
    }

    private SpokenTime() {}

    /** The day and time in {@code said}, {@code today} being the day it was said; empty when it names neither. */
    public static Optional<Heard> parse(String said, LocalDate today) {
        List<String> words = words(said);
        boolean[] used = new boolean[words.size()];
        LocalDate date = date(words, used, today);
        LocalTime time = time(words, used);
        return date == null && time == null ? Optional.empty() : Optional.of(new Heard(date, time));
    }

    /**
     * The day a time without one is meant for: today while it is still ahead of {@code now}, else tomorrow.
     */
    public static LocalDate dayFor(LocalTime time, LocalDateTime now) {
        return time.isAfter(now.toLocalTime()) ? now.toLocalDate() : now.toLocalDate().plusDays(1);
    }

    /** "Saturday 5 December at 10 a.m.", as a persona says it. */
    public static String say(LocalDateTime at) {
        return sayDay(at.toLocalDate()) + " at " + sayTime(at.toLocalTime());
    }

    /** "Saturday 5 December". */
    public static String sayDay(LocalDate day) {
        return DAY.format(day);
    }

    /** "10 a.m.", "2:30 p.m.", "12 noon". */
    public static String sayTime(LocalTime time) {
        if (time.equals(LocalTime.NOON)) return "12 noon";
        int hour = time.getHour() % 12 == 0 ? 12 : time.getHour() % 12;
        String minutes = time.getMinute() == 0 ? "" : ":%02d".formatted(time.getMinute());
        return hour + minutes + (time.getHour() < 12 ? " a.m." : " p.m.");
    }

    /** Times said as a list: "10 a.m., 10:30 a.m. and 11 a.m.". */
    public static String sayTimes(List<LocalTime> times) {
        List<String> said = times.stream().map(SpokenTime::sayTime).toList();
        if (said.size() <= 1) return String.join("", said);
        return String.join(", ", said.subList(0, said.size() - 1)) + " and " + said.getLast();
    }

    /**
     * What a caller asked for a day and time is likely to say, for a recogniser that must be told: a day ("tomorrow",
     * "monday"), an hour and minutes ("ten thirty"), or both ("tomorrow at ten thirty").
     */
    public static List<String> phrases() {
        List<String> days = new ArrayList<>(List.of("today", "tomorrow"));
        for (DayOfWeek d : DayOfWeek.values()) days.add(d.name().toLowerCase(Locale.ROOT));
        List<String> times = new ArrayList<>();
        for (String hour : HOUR_WORDS) {
            for (String minutes : SPOKEN_MINUTES) times.add(minutes.isEmpty() ? hour : hour + " " + minutes);
        }
        List<String> phrases = new ArrayList<>(days);
        phrases.addAll(times);
        for (String day : days) {
            for (String time : times) phrases.add(day + " at " + time);
        }
        return phrases;
    }

    // ---- reading

    /** Lower-case words: "10:30am" is "10:30 am", "p.m." is "pm", hyphens split ("forty-five"), "o'clock" is "oclock". */
    private static List<String> words(String said) {
        String text = said == null ? "" : said.toLowerCase(Locale.ROOT)
                .replace('’', '\'')
                .replaceAll("(\\d)\\s?([ap])\\.?\\s?m\\b\\.?", "$1 $2m ")
                .replaceAll("\\b([ap])\\.\\s?m\\b\\.?", " $1m ")
                .replace("o'clock", "oclock")
                .replaceAll("(?<=[a-z])-(?=[a-z])", " ");
        List<String> words = new ArrayList<>();
        for (String token : text.split("[\\s,;!?]+")) {
            String t = token.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
            if (!t.isEmpty()) words.add(t);
        }
        // "a m" / "p m" as a recogniser spells them
        for (int i = 0; i + 1 < words.size(); i++) {
            if ((words.get(i).equals("a") || words.get(i).equals("p")) && words.get(i + 1).equals("m") && i > 0 && isNumberish(words.get(i - 1))) {
                words.set(i, words.get(i) + "m");
                words.remove(i + 1);
            }
        }
        return words;
    }

    private static boolean isNumberish(String word) {
        return word.matches("\\d+([:.]\\d\\d)?") || UNITS.containsKey(word) || TEENS.containsKey(word) || TENS.containsKey(word)
                || word.equals("oclock") || word.equals("noon");
    }

    private static LocalDate date(List<String> words, boolean[] used, LocalDate today) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.matches("\\d{4}-\\d{2}-\\d{2}")) {
                try {
                    used[i] = true;
                    return LocalDate.parse(w);
                } catch (DateTimeParseException e) {
                    used[i] = false;
                }
            }
        }
        // a month with its day next to it: "december 7", "7th of december", "the seventh of december"
        for (int i = 0; i < words.size(); i++) {
            Month month = MONTHS.get(words.get(i));
            if (month == null) continue;
            int[] after = dayOfMonth(words, i + 1);                                    // december 7 / december the 7th
            int[] before = i >= 2 && words.get(i - 1).equals("of") ? dayOfMonthEndingAt(words, i - 2)   // 7th of december
                    : i >= 1 ? dayOfMonthEndingAt(words, i - 1) : null;                 // 7 december
            int[] day = after != null ? after : before;
            if (day == null) continue;
            LocalDate date;
            try {
                date = LocalDate.of(today.getYear(), month, day[0]);
            } catch (java.time.DateTimeException e) {
                continue;
            }
            if (date.isBefore(today)) date = date.plusYears(1);
            used[i] = true;
            for (int k = Math.min(day[1], i + 1); k <= Math.max(day[2], i - 1); k++) used[k] = true;
            return date;
        }
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("today") || w.equals("tonight")) {
                used[i] = true;
                return today;
            }
            if (w.equals("tomorrow")) {
                used[i] = true;
                boolean after = i >= 2 && words.get(i - 1).equals("after") && words.get(i - 2).equals("day");
                if (after) {
                    used[i - 1] = true;
                    used[i - 2] = true;
                }
                return today.plusDays(after ? 2 : 1);
            }
            DayOfWeek weekday = WEEKDAYS.get(w.endsWith("s") && WEEKDAYS.containsKey(w.substring(0, w.length() - 1)) ? w.substring(0, w.length() - 1) : w);
            if (weekday != null) {
                used[i] = true;
                LocalDate d = today.plusDays(1);
                while (d.getDayOfWeek() != weekday) d = d.plusDays(1);
                return d;
            }
        }
        return null;
    }

    /** A day of a month starting at {@code i} ("the 7th", "7", "seventh", "twenty first"): {day, first index, last index}. */
    private static int[] dayOfMonth(List<String> words, int i) {
        int start = i;
        if (i < words.size() && words.get(i).equals("the")) i++;
        if (i >= words.size()) return null;
        String w = words.get(i);
        if (w.matches("\\d{1,2}(st|nd|rd|th)?")) {
            int d = Integer.parseInt(w.replaceAll("\\D", ""));
            return d >= 1 && d <= 31 ? new int[] {d, start, i} : null;
        }
        if (ORDINALS.containsKey(w)) return new int[] {ORDINALS.get(w), start, i};
        if ((w.equals("twenty") || w.equals("thirty")) && i + 1 < words.size() && ORDINALS.containsKey(words.get(i + 1))
                && ORDINALS.get(words.get(i + 1)) <= 9) {
            int d = TENS.get(w) + ORDINALS.get(words.get(i + 1));
            return d <= 31 ? new int[] {d, start, i + 1} : null;
        }
        return null;
    }

    /** A day of a month ending at {@code i}, as {@link #dayOfMonth}. */
    private static int[] dayOfMonthEndingAt(List<String> words, int i) {
        for (int start = Math.max(0, i - 2); start <= i; start++) {
            int[] day = dayOfMonth(words, start);
            if (day != null && day[2] == i) return day;
        }
        return null;
    }

    private static LocalTime time(List<String> words, boolean[] used) {
        Boolean pm = null;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            boolean afterNumber = i > 0 && isNumberish(words.get(i - 1));   // "I am free" says nothing of the morning
            if (w.equals("am") && afterNumber || w.equals("morning")) pm = false;
            if (w.equals("pm") && afterNumber || w.equals("afternoon") || w.equals("evening") || w.equals("tonight")) pm = true;
        }
        for (int i = 0; i < words.size(); i++) {
            if (used[i]) continue;
            String w = words.get(i);
            if (w.equals("noon") || w.equals("midday")) return LocalTime.NOON;
            if ((w.equals("half") || w.equals("quarter")) && i + 2 < words.size()
                    && (words.get(i + 1).equals("past") || words.get(i + 1).equals("to") || words.get(i + 1).equals("after"))) {
                Integer hour = hour(words.get(i + 2));
                if (hour == null || hour > 12) continue;
                int minutes = w.equals("half") ? 30 : 15;
                if (words.get(i + 1).equals("to")) {
                    if (w.equals("half")) continue;
                    hour = hour == 1 ? 12 : hour - 1;
                    minutes = 45;
                }
                return at(hour, minutes, pm);
            }
            Matcher digits = Matcher.of(w);
            if (digits != null) {
                if (digits.hour > 23 || digits.minutes > 59) continue;
                int minutes = digits.minutes;
                if (!digits.hasMinutes && i + 1 < words.size()) {
                    Integer m = minutes(words, i + 1);
                    if (m != null) minutes = m;
                }
                if (digits.hour > 12) return LocalTime.of(digits.hour, minutes);
                return at(digits.hour, minutes, pm);
            }
            Integer hour = hour(w);
            if (hour == null || i > 0 && TENS.containsKey(words.get(i - 1)) || !hourLike(words, i)) continue;   // "thirty two" is a number
            Integer minutes = i + 1 < words.size() ? minutes(words, i + 1) : null;
            return at(hour, minutes == null ? 0 : minutes, pm);
        }
        return null;
    }

    /** A bare number word is an hour after "at" or "around", before minutes, "o'clock" or a.m./p.m., or alone. */
    private static boolean hourLike(List<String> words, int i) {
        if (i > 0 && (words.get(i - 1).equals("at") || words.get(i - 1).equals("around") || words.get(i - 1).equals("about"))) return true;
        if (i + 1 < words.size()) {
            String next = words.get(i + 1);
            if (next.equals("oclock") || next.equals("am") || next.equals("pm") || minutes(words, i + 1) != null) return true;
        }
        return words.stream().noneMatch(w -> w.equals("at")) && words.stream().filter(SpokenTime::isNumberish).count() <= 3;
    }

    private static Integer hour(String word) {
        if (UNITS.containsKey(word) && UNITS.get(word) > 0) return UNITS.get(word);
        if (word.equals("ten") || word.equals("eleven") || word.equals("twelve")) return TEENS.get(word);
        if (word.matches("\\d{1,2}")) {
            int h = Integer.parseInt(word);
            return h >= 1 && h <= 12 ? h : null;
        }
        return null;
    }

    /** Minutes said at {@code i}: "oclock" (0), "oh five", "fifteen", "forty five", "30". */
    private static Integer minutes(List<String> words, int i) {
        if (i >= words.size()) return null;
        String w = words.get(i);
        if (w.equals("oclock")) return 0;
        if (w.equals("oh") && i + 1 < words.size() && UNITS.containsKey(words.get(i + 1)) && UNITS.get(words.get(i + 1)) > 0) {
            return UNITS.get(words.get(i + 1));
        }
        if (TEENS.containsKey(w)) return TEENS.get(w);
        if (TENS.containsKey(w)) {
            int m = TENS.get(w);
            if (i + 1 < words.size() && UNITS.containsKey(words.get(i + 1)) && UNITS.get(words.get(i + 1)) > 0) m += UNITS.get(words.get(i + 1));
            return m;
        }
        if (w.matches("\\d{2}")) {
            int m = Integer.parseInt(w);
            return m < 60 ? m : null;
        }
        return null;
    }

    private static LocalTime at(int hour, int minutes, Boolean pm) {
        int h = hour % 12;
        boolean afternoon = pm != null ? pm : hour >= 1 && hour <= 7 || hour == 12;
        if (pm == null && hour == 12) return LocalTime.of(12, minutes);
        return LocalTime.of(afternoon ? h + 12 : h, minutes);
    }

    /** "10", "10:30", "10.30". */
    private record Matcher(int hour, int minutes, boolean hasMinutes) {
        static Matcher of(String word) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,2})(?:[:.](\\d{2}))?").matcher(word);
            return m.matches()
                    ? new Matcher(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)), m.group(2) != null)
                    : null;
        }
    }
}
