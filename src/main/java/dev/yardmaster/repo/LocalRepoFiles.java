package dev.yardmaster.repo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** build/ as a directory on this machine. */
public class LocalRepoFiles implements RepoFiles {

    private final Path build;

    public LocalRepoFiles(Path root) {
        this.build = root.resolve("build").toAbsolutePath().normalize();
    }

    @Override
    public List<Entry> listBuild() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(build)) {
            for (Path file : files.toList()) {
                try {
                    entries.add(entry(file));
                } catch (NoSuchFileException vanished) {
                    // Removed between listing and stat: it simply is not there.
                }
            }
        }
        return entries;
    }

    @Override
    public Entry stat(String name) throws IOException {
        return entry(resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(resolve(name));
    }

    @Override
    public String describe() {
        return build.toString();
    }

    private Path resolve(String name) {
        Path file = build.resolve(name).normalize();
        if (!file.getParent().equals(build)) {
            throw new IllegalArgumentException("not a file of build/: " + name);
        }
        return file;
    }

    private Entry entry(Path file) throws IOException {
        BasicFileAttributes own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String name = file.getFileName().toString();
        if (!own.isSymbolicLink()) {
            return new Entry(name, own.size(), own.lastModifiedTime().toInstant(), own.isRegularFile(), false, null, true);
        }
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException dangling) {
            return new Entry(name, 0, own.lastModifiedTime().toInstant(), false, true, Files.readSymbolicLink(file).toString(), false);
        }
        BasicFileAttributes real = Files.readAttributes(target, BasicFileAttributes.class);
        boolean inside = target.startsWith(build.toRealPath());
        return new Entry(name, real.size(), real.lastModifiedTime().toInstant(), real.isRegularFile(), true,
                target.toString(), inside);
    }
}
