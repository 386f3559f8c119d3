package dev.yardmaster.promotion;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs repo commands on this machine (Yardmaster runs on the repo server or mounts it). */
public class LocalRepoHost implements RepoHost {

    /**
     * Output readers block until their process prints or exits; on virtual threads they cost
     * nothing and cannot starve each other (the common pool has one thread on two cores).
     */
    private static final java.util.concurrent.ExecutorService READERS =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @Override
    public Result run(List<String> argv, Duration timeout) {
        try {
            Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()), READERS);
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()), READERS);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Result(124, new byte[0], argv.get(0) + " timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(127, new byte[0], argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, new byte[0], "interrupted");
        } catch (ExecutionException e) {
            return new Result(1, new byte[0], e.getCause().getMessage());
        }
    }

    static final String READY = "yardmaster-lock-held";

    @Override
    public Held lock(String lockFile, Duration wait) {
        return hold(List.of("flock", "-x", "-w", Long.toString(Math.max(1, wait.toSeconds())), lockFile,
                "sh", "-c", "echo " + READY + "; exec cat"), READY, wait.plusSeconds(5));
    }

    @Override
    public byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new RepoException("could not read " + path + " on the " + describe() + ": " + e.getMessage());
        }
    }

    @Override
    public Map<String, String> links(String dir) {
        Map<String, String> links = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(dir))) {
            for (Path entry : entries) {
                if (Files.isSymbolicLink(entry)) {
                    links.put(entry.getFileName().toString(), Files.readSymbolicLink(entry).toString());
                }
            }
        } catch (IOException e) {
            throw new RepoException("could not list " + dir + " on the " + describe() + ": " + e.getMessage());
        }
        return links;
    }

    @Override
    public Map<String, RpmEntry> rpms(String dir) {
        Map<String, RpmEntry> rpms = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(dir), "*.rpm")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Files.isSymbolicLink(entry)) {
                    rpms.put(name, new RpmEntry(name, Files.readSymbolicLink(entry).toString()));
                } else if (Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    rpms.put(name, new RpmEntry(name, null));
                }
            }
        } catch (IOException e) {
            throw new RepoException("could not list " + dir + " on the " + describe() + ": " + e.getMessage());
        }
        return rpms;
    }

    @Override
    public java.util.Optional<byte[]> readIfPresent(String path) {
        try {
            return java.util.Optional.of(Files.readAllBytes(Path.of(path)));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new RepoException("could not read " + path + " on the " + describe() + ": " + e.getMessage());
        }
    }

    /**
     * Starts a command and returns once it printed {@code readyLine} on stdout (e.g. a lock
     * was acquired); closing the handle ends the command.
     */
    Held hold(List<String> argv, String readyLine, Duration timeout) {
        try {
            Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.equals(readyLine)) {
                            return true;
                        }
                    }
                    return false;
                } catch (IOException e) {
                    return false;
                }
            }, READERS);
            boolean held;
            try {
                held = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                held = false;
            } catch (ExecutionException e) {
                held = false;
            }
            if (!held) {
                process.destroyForcibly();
                throw new RepoException("could not acquire " + String.join(" ", argv.subList(0, Math.min(3, argv.size())))
                        + " within " + timeout.toSeconds() + " s");
            }
            return () -> {
                try {
                    process.getOutputStream().close();
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (IOException e) {
                    process.destroyForcibly();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RepoException("interrupted while waiting for the lock");
        }
    }

    @Override
    public String describe() {
        return "local repo server";
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
