package dev.yardmaster.repo;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/** Reads the repo server's build/ directory, locally or over SFTP. */
public interface RepoFiles extends AutoCloseable {

    /** One directory entry; {@code target} is the resolved path of a symlink, else null. */
    record Entry(String name, long size, Instant modified, boolean regularFile, boolean symlink, String target,
            boolean targetInsideBuild) {
    }

    /** The entries of build/ (not recursive). */
    List<Entry> listBuild() throws IOException;

    /** Size and mtime of one entry now (to see whether it is still being written). */
    Entry stat(String name) throws IOException;

    /** The file's bytes from the start; the caller stops reading when it has what it needs. */
    InputStream open(String name) throws IOException;

    /** For messages. */
    String describe();

    /** Releases what one scan opened (the SFTP session); local directories hold nothing. */
    @Override
    default void close() {
    }
}
