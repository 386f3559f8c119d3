package dev.yardmaster.web;

import io.quarkus.qute.TemplateExtension;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * How pages write times and counts, in one place: a time is absolute and names its zone
 * ("2026-12-03 09:27 UTC"; the browser rewrites it into the zone the user picked), a count
 * agrees with its noun ("1 host", "2 hosts"). Used by templates as {@code {t.utc}} and
 * {@code {n.plural('host')}}, and by the {@code {#time}} tag.
 */
@TemplateExtension
public class Formats {

    private static final DateTimeFormatter ABSOLUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    private Formats() {
    }

    /** The machine-readable instant for {@code <time datetime>}, to the second, in UTC. */
    public static String iso(OffsetDateTime time) {
        return time.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The absolute time as people read it without JavaScript: minutes, UTC, the zone named. */
    public static String utc(OffsetDateTime time) {
        return ABSOLUTE.format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** "1 host", "2 hosts", "3 batches": the count with its noun in the right number. */
    public static String plural(Number count, String noun) {
        long n = count == null ? 0 : count.longValue();
        return n + " " + (n == 1 ? noun : pluralOf(noun));
    }

    /** The plural of an English noun as the console uses them (host, batch, event, promotion). */
    public static String pluralOf(String noun) {
        if (noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("ch") || noun.endsWith("sh")) {
            return noun + "es";
        }
        if (noun.endsWith("y") && noun.length() > 1 && "aeiou".indexOf(noun.charAt(noun.length() - 2)) < 0) {
            return noun.substring(0, noun.length() - 1) + "ies";
        }
        return noun + "s";
    }
}
