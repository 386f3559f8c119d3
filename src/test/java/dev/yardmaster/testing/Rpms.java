package dev.yardmaster.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real RPMs for tests, made by rpmbuild: a tiny noarch package with a changelog line. */
public final class Rpms {

    private Rpms() {
    }

    /** Builds name-version-release.noarch.rpm into {@code dir} and returns its path. */
    public static Path build(Path dir, String name, String version, String release, String changelog)
            throws IOException, InterruptedException {
        Path top = Files.createTempDirectory("rpmbuild");
        Path spec = top.resolve(name + ".spec");
        Files.writeString(spec, String.join("\n",
                "Name: " + name, "Version: " + version, "Release: " + release, "Summary: Test package " + name,
                "License: Apache-2.0", "BuildArch: noarch", "",
                "%description", "Test package.", "",
                "%install", "mkdir -p %{buildroot}/opt/" + name,
                "echo %{version}-%{release} > %{buildroot}/opt/" + name + "/VERSION", "",
                "%files", "/opt/" + name + "/VERSION", "",
                "%changelog", "* Tue Nov 24 2026 Test <test@example.com> - " + version + "-" + release,
                "- " + changelog, ""));
        Process process = new ProcessBuilder(List.of("rpmbuild", "-bb", "--quiet",
                "--define", "_topdir " + top, "--define", "_rpmdir " + dir, "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
                "--define", "_dbpath " + top.resolve("rpmdb"), spec.toString()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("rpmbuild failed: " + output);
        }
        return dir.resolve(name + "-" + version + "-" + release + ".noarch.rpm");
    }

    /**
     * Dates every file in {@code dir} a minute back, so the catalog does not take freshly
     * built RPMs for files still being copied.
     */
    public static void settle(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            }
        }
    }
}
