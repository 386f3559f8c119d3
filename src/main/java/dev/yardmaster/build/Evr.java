package dev.yardmaster.build;

import java.util.Comparator;

/**
 * Epoch, version and release compared the way rpm compares them ({@code rpmvercmp}): epoch
 * first, then version and release segment by segment, where digits compare as numbers, digits
 * beat letters, {@code ~} sorts before anything (pre-releases) and {@code ^} after the base
 * but before any further segment (post-release snapshots).
 */
public record Evr(int epoch, String version, String release) implements Comparable<Evr> {

    public static final Comparator<Evr> ORDER = Comparator.naturalOrder();

    /** Parses {@code [epoch:]version[-release]}. */
    public static Evr parse(String text) {
        int colon = text.indexOf(':');
        int epoch = colon > 0 ? Integer.parseInt(text.substring(0, colon)) : 0;
        String rest = colon > 0 ? text.substring(colon + 1) : text;
        int dash = rest.lastIndexOf('-');
        return dash > 0 ? new Evr(epoch, rest.substring(0, dash), rest.substring(dash + 1)) : new Evr(epoch, rest, "");
    }

    @Override
    public int compareTo(Evr other) {
        int byEpoch = Integer.compare(epoch, other.epoch);
        if (byEpoch != 0) {
            return byEpoch;
        }
        int byVersion = vercmp(version, other.version);
        return byVersion != 0 ? byVersion : vercmp(release, other.release);
    }

    @Override
    public String toString() {
        return (epoch == 0 ? "" : epoch + ":") + version + (release.isEmpty() ? "" : "-" + release);
    }

    /** rpm's rpmvercmp, returning -1, 0 or 1. */
    public static int vercmp(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while (i < a.length() && !isAsciiAlnum(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') {
                i++;
            }
            while (j < b.length() && !isAsciiAlnum(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') {
                j++;
            }
            // Tilde: whoever has it is older, even than the end of the string.
            boolean ta = i < a.length() && a.charAt(i) == '~';
            boolean tb = j < b.length() && b.charAt(j) == '~';
            if (ta || tb) {
                if (!ta) {
                    return 1;
                }
                if (!tb) {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            // Caret: newer than the end of the string, older than any other segment.
            boolean ca = i < a.length() && a.charAt(i) == '^';
            boolean cb = j < b.length() && b.charAt(j) == '^';
            if (ca || cb) {
                if (i >= a.length()) {
                    return -1;
                }
                if (j >= b.length()) {
                    return 1;
                }
                if (!ca) {
                    return 1;
                }
                if (!cb) {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (i >= a.length() || j >= b.length()) {
                break;
            }
            int si = i;
            int sj = j;
            boolean numeric = isAsciiDigit(a.charAt(i));
            if (numeric) {
                while (i < a.length() && isAsciiDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isAsciiDigit(b.charAt(j))) {
                    j++;
                }
            } else {
                while (i < a.length() && isAsciiLetter(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isAsciiLetter(b.charAt(j))) {
                    j++;
                }
            }
            String segA = a.substring(si, i);
            String segB = b.substring(sj, j);
            if (segB.isEmpty()) {
                // Different kinds of segment: a number is newer than letters.
                return numeric ? 1 : -1;
            }
            int cmp;
            if (numeric) {
                String na = segA.replaceFirst("^0+(?=.)", "");
                String nb = segB.replaceFirst("^0+(?=.)", "");
                cmp = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
            } else {
                cmp = segA.compareTo(segB);
            }
            if (cmp != 0) {
                return cmp < 0 ? -1 : 1;
            }
        }
        boolean aDone = i >= a.length();
        boolean bDone = j >= b.length();
        if (aDone && bDone) {
            return 0;
        }
        return aDone ? -1 : 1;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiAlnum(char c) {
        return isAsciiDigit(c) || isAsciiLetter(c);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
