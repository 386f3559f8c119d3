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

    /**
     * This EVR as bytes whose unsigned order is {@link #compareTo}'s order, so PostgreSQL can
     * sort and index builds by rpm version ({@code build.evr_key}, migration V95): the newest
     * build of a package is the first entry of an index, not a scan of every build in Java.
     * Epoch as four bytes, then version and release as rpmvercmp's tokens, each closed by
     * {@code END}: tilde (01) &lt; end (02) &lt; caret (03) &lt; letters (04, the letters, 00)
     * &lt; digits (05, two length bytes, the digits without leading zeros). Separators are
     * dropped, as rpmvercmp skips them. EvrTest checks the two orders agree on random pairs.
     */
    public byte[] sortKey() {
        java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream(16 + version.length() + release.length());
        key.write(epoch >>> 24);
        key.write(epoch >>> 16);
        key.write(epoch >>> 8);
        key.write(epoch);
        appendKey(key, version);
        appendKey(key, release);
        return key.toByteArray();
    }

    private static void appendKey(java.io.ByteArrayOutputStream key, String part) {
        int i = 0;
        while (i < part.length()) {
            char c = part.charAt(i);
            if (c == '~') {
                key.write(0x01);
                i++;
            } else if (c == '^') {
                key.write(0x03);
                i++;
            } else if (isAsciiDigit(c)) {
                int start = i;
                while (i < part.length() && isAsciiDigit(part.charAt(i))) {
                    i++;
                }
                int from = start;
                while (from < i && part.charAt(from) == '0') {
                    from++;
                }
                int length = i - from;
                key.write(0x05);
                key.write(length >>> 8);
                key.write(length);
                for (int k = from; k < i; k++) {
                    key.write(part.charAt(k));
                }
            } else if (isAsciiLetter(c)) {
                key.write(0x04);
                while (i < part.length() && isAsciiLetter(part.charAt(i))) {
                    key.write(part.charAt(i++));
                }
                key.write(0x00);
            } else {
                i++;
            }
        }
        key.write(0x02);
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
