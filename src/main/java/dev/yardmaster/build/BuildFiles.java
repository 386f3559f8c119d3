package dev.yardmaster.build;

import dev.yardmaster.core.Names;
import dev.yardmaster.repo.RepoFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * One file of build/ as the catalog sees it: refused by its name or state before it is opened,
 * or read (header and SHA-256 in one pass) into a build or a rejection with the reason. Never
 * throws for a bad file: a bad file is a rejection the catalog page shows.
 */
final class BuildFiles {

    private BuildFiles() {
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    sealed interface Outcome permits Indexed, Rejected {
    }

    record Indexed(RepoFiles.Entry entry, RpmHeader header, String sha256) implements Outcome {
    }

    record Rejected(RepoFiles.Entry entry, String reason) implements Outcome {
    }

    static final String UNREADABLE = "not a readable RPM";

    /** Why a file cannot be indexed before even opening it, or null. */
    static String refusal(RepoFiles.Entry entry, Instant settled) {
        if (!Names.RPM_FILE.matcher(entry.name()).matches()) {
            return "file name has spaces, non-ASCII or shell characters; rename it to what rpmbuild produces";
        }
        if (entry.symlink() && !entry.targetInsideBuild()) {
            return entry.regularFile() ? "symlink pointing outside build/ (" + entry.target() + ")"
                    : "dangling symlink (" + entry.target() + ")";
        }
        if (!entry.regularFile()) {
            return "not a regular file";
        }
        if (entry.size() == 0) {
            return "empty file (0 bytes)";
        }
        if (entry.modified().isAfter(settled)) {
            return "still being copied (changed moments ago); read again in the next scan";
        }
        return null;
    }

    /** Reads one file's header and hash; never throws for a bad file, it is rejected instead. */
    static Outcome read(RepoFiles files, RepoFiles.Entry entry) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // Buffered: the header parser reads in small pieces, each a system call (or SFTP request) otherwise.
        try (InputStream in = new DigestInputStream(new java.io.BufferedInputStream(files.open(entry.name()), 65536), sha256)) {
            RpmHeader header = RpmHeader.read(new NonClosing(in));
            in.transferTo(OutputStream.nullOutputStream());
            RepoFiles.Entry after = files.stat(entry.name());
            if (after.size() != entry.size() || !after.modified().equals(entry.modified())) {
                return new Rejected(after, "still being copied (size or time changed while reading); read again in the next scan");
            }
            return new Indexed(entry, header, HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Rejected(entry, UNREADABLE + ": " + why);
        }
    }

    /** PostgreSQL keeps microseconds; compare at that precision. */
    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** Lets the header reader stop early without closing the digest stream under it. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
