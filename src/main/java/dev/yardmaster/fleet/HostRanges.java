package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ansible's host ranges: {@code web-[01:20].example.com} (numbers, zero-padded like the start),
 * {@code db-[a:f]} (letters), an optional step ({@code [0:10:2]}), several ranges in one name.
 */
final class HostRanges {

    /** More hosts than this from one pattern is a typo ({@code [1:100000]}), not a fleet. */
    static final int MAX_HOSTS = 10_000;
    private static final Pattern RANGE = Pattern.compile("\\[([^\\[\\]:]*):([^\\[\\]:]*)(?::([^\\[\\]:]*))?\\]");

    private HostRanges() {
    }

    static boolean isRange(String pattern) {
        return pattern.indexOf('[') >= 0;
    }

    /** Every name the pattern stands for, in order; a malformed range is an IllegalArgumentException saying why. */
    static List<String> expand(String pattern) {
        List<String> names = new ArrayList<>();
        expandInto(pattern, names);
        return names;
    }

    private static void expandInto(String pattern, List<String> names) {
        Matcher m = RANGE.matcher(pattern);
        if (!m.find()) {
            if (pattern.indexOf('[') >= 0 || pattern.indexOf(']') >= 0) {
                throw new IllegalArgumentException("'" + Names.printable(pattern)
                        + "' has a bracket that is not a range like [01:20] or [a:f]");
            }
            names.add(pattern);
            return;
        }
        String head = pattern.substring(0, m.start());
        String tail = pattern.substring(m.end());
        for (String item : items(m.group(1), m.group(2), m.group(3))) {
            if (names.size() >= MAX_HOSTS) {
                throw new IllegalArgumentException("the range stands for more than " + MAX_HOSTS + " hosts");
            }
            expandInto(head + item + tail, names);
        }
    }

    private static List<String> items(String from, String to, String stepText) {
        int step = 1;
        if (stepText != null) {
            if (!stepText.matches("[0-9]{1,5}") || Integer.parseInt(stepText) == 0) {
                throw new IllegalArgumentException("the step '" + Names.printable(stepText) + "' of a range must be a positive number");
            }
            step = Integer.parseInt(stepText);
        }
        if (from.matches("[0-9]{0,9}") && to.matches("[0-9]{1,9}")) {
            return numbers(from, to, step);
        }
        if (from.matches("[a-zA-Z]") && to.matches("[a-zA-Z]")) {
            return letters(from.charAt(0), to.charAt(0), step);
        }
        throw new IllegalArgumentException("[" + Names.printable(from) + ":" + Names.printable(to)
                + "] is not a range of numbers ([01:20]) or of letters ([a:f])");
    }

    private static List<String> numbers(String from, String to, int step) {
        int start = from.isEmpty() ? 0 : Integer.parseInt(from);
        int end = Integer.parseInt(to);
        if (start > end) {
            throw new IllegalArgumentException("the range [" + from + ":" + to + "] runs backwards");
        }
        if ((end - start) / step + 1 > MAX_HOSTS) {
            throw new IllegalArgumentException("the range [" + from + ":" + to + "] stands for more than " + MAX_HOSTS + " hosts");
        }
        // Ansible pads to the width of the start when it begins with 0 (01 → 01, 02, ... 20).
        int width = from.length() > 1 && from.charAt(0) == '0' ? from.length() : 0;
        List<String> items = new ArrayList<>();
        for (int i = start; i <= end; i += step) {
            items.add(width > 0 ? String.format("%0" + width + "d", i) : Integer.toString(i));
        }
        return items;
    }

    private static List<String> letters(char from, char to, int step) {
        if (from > to || Character.isUpperCase(from) != Character.isUpperCase(to)) {
            throw new IllegalArgumentException("the range [" + from + ":" + to + "] runs backwards or mixes cases");
        }
        List<String> items = new ArrayList<>();
        for (int c = from; c <= to; c += step) {
            items.add(String.valueOf((char) c));
        }
        return items;
    }
}
