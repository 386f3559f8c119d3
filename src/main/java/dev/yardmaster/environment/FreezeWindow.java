package dev.yardmaster.environment;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A span of time in which an environment takes no changes: weekly ({@code Fri 16:00-Mon 08:00},
 * wrapping over the weekend) or one-off ({@code 2026-12-24T00:00-2026-12-27T00:00}), in UTC.
 */
public record FreezeWindow(String text, DayOfWeek fromDay, LocalTime fromTime, DayOfWeek toDay, LocalTime toTime,
        LocalDateTime fromDate, LocalDateTime toDate) {

    private static final Pattern WEEKLY = Pattern.compile(
            "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\\d{2}:\\d{2})\\s*-\\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\\d{2}:\\d{2})$");
    private static final Pattern ONCE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2})\\s*-\\s*(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2})$");

    public static FreezeWindow parse(String text) {
        String t = text.strip();
        try {
            Matcher weekly = WEEKLY.matcher(t);
            if (weekly.matches()) {
                return new FreezeWindow(t, day(weekly.group(1)), LocalTime.parse(weekly.group(2)), day(weekly.group(3)),
                        LocalTime.parse(weekly.group(4)), null, null);
            }
            Matcher once = ONCE.matcher(t);
            if (once.matches()) {
                return new FreezeWindow(t, null, null, null, null, LocalDateTime.parse(once.group(1)),
                        LocalDateTime.parse(once.group(2)));
            }
        } catch (DateTimeParseException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("freeze window '" + t
                + "' must look like 'Fri 16:00-Mon 08:00' or '2026-12-24T00:00-2026-12-27T00:00' (UTC)");
    }

    public boolean contains(OffsetDateTime instant) {
        LocalDateTime at = instant.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        if (fromDate != null) {
            return !at.isBefore(fromDate) && at.isBefore(toDate);
        }
        int minute = minuteOfWeek(at.getDayOfWeek(), at.toLocalTime());
        int from = minuteOfWeek(fromDay, fromTime);
        int to = minuteOfWeek(toDay, toTime);
        return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
    }

    private static int minuteOfWeek(DayOfWeek day, LocalTime time) {
        return (day.getValue() - 1) * 1440 + time.getHour() * 60 + time.getMinute();
    }

    private static DayOfWeek day(String abbreviation) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals(abbreviation)) {
                return day;
            }
        }
        throw new IllegalArgumentException(abbreviation);
    }
}
