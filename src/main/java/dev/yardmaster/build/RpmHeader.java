package dev.yardmaster.build;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.parse.InputHeader;
import org.eclipse.packager.rpm.parse.RpmInputStream;

/**
 * What Yardmaster needs from an RPM, read from its lead, signature and main header with
 * Eclipse packager-rpm; the payload is never parsed. The commit's author and reviewer come
 * from the first changelog entry's {@code ab/cd: message} convention.
 */
public record RpmHeader(String name, int epoch, String version, String release, String arch, String summary,
        OffsetDateTime buildTime, String buildHost, String license, String sourceRpm, String vcs,
        String changelogText, String changelogAuthor, OffsetDateTime changelogTime, String commitAuthor,
        String commitReviewer, String commitMessage) {

    /** {@code ab/cd: message} or {@code ab: message}, optionally after a "- " bullet. */
    static final Pattern COMMIT = Pattern.compile("^\\s*-?\\s*([a-z]{2,4})(?:/([a-z]{2,4}))?:\\s*(.+)$");
    private static final int SOURCERPM = 1044;
    private static final int VCS = 5034;

    /** Reads the header; throws with a reason a person can act on when it is not a readable RPM. */
    public static RpmHeader read(InputStream in) throws IOException {
        try (RpmInputStream rpm = new RpmInputStream(in)) {
            InputHeader<RpmTag> header = rpm.getPayloadHeader();
            String name = text(header.getTag(RpmTag.NAME));
            String version = text(header.getTag(RpmTag.VERSION));
            String release = text(header.getTag(RpmTag.RELEASE));
            String arch = text(header.getTag(RpmTag.ARCH));
            if (name == null || version == null || release == null) {
                throw new IOException("header has no name, version or release");
            }
            String changelog = text(header.getTag(RpmTag.CHANGELOG_TEXT));
            String firstLine = changelog == null ? null : changelog.lines().findFirst().orElse(null);
            String author = null;
            String reviewer = null;
            String message = firstLine;
            if (firstLine != null) {
                Matcher commit = COMMIT.matcher(firstLine);
                if (commit.matches()) {
                    author = commit.group(1);
                    reviewer = commit.group(2);
                    message = commit.group(3).strip();
                }
            }
            Long epoch = number(header.getTag(RpmTag.EPOCH));
            return new RpmHeader(name, epoch == null ? 0 : epoch.intValue(), version, release, arch == null ? "noarch" : arch,
                    text(header.getTag(RpmTag.SUMMARY)), time(header.getTag(RpmTag.BUILDTIME)), text(header.getTag(RpmTag.BUILDHOST)),
                    text(header.getTag(RpmTag.LICENSE)), text(header.getTag(SOURCERPM)), text(header.getTag(VCS)),
                    changelog, text(header.getTag(RpmTag.CHANGELOG_AUTHOR)), time(header.getTag(RpmTag.CHANGELOG_TIMESTAMP)),
                    author, reviewer, message);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // The parser throws unchecked exceptions on garbage; callers need one kind of failure.
            throw new IOException("not a readable RPM header (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    /** No reviewer, or the author reviewed their own change. */
    public boolean unreviewed() {
        return commitReviewer == null || commitReviewer.equals(commitAuthor);
    }

    public String nevra() {
        return name + "-" + (epoch == 0 ? "" : epoch + ":") + version + "-" + release + "." + arch;
    }

    private static Object first(Object value) {
        if (value != null && value.getClass().isArray()) {
            return Array.getLength(value) == 0 ? null : Array.get(value, 0);
        }
        return value;
    }

    private static String text(Object value) {
        Object v = first(value);
        return v == null ? null : v.toString();
    }

    private static Long number(Object value) {
        Object v = first(value);
        return v instanceof Number n ? n.longValue() : null;
    }

    private static OffsetDateTime time(Object value) {
        Long seconds = number(value);
        return seconds == null ? null : OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
    }
}
