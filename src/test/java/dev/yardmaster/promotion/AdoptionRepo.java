package dev.yardmaster.promotion;

import dev.yardmaster.testing.Rpms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A repo server in the state a team's scripts leave it (bin/fleet's layout: symlinks that
 * accumulate, like {@code cap promote}), made before Yardmaster ever sees it, and the hand
 * changes people make to it afterwards, each under the environment's lock as the README asks.
 *
 * <pre>
 * review/   links  flingerator 1.0.0 1.1.0 1.2.0, gnip-worker 2.0.0 2.1.0 2.1.1
 * staging/  links  flingerator 1.0.0 1.1.0,       gnip-worker 2.0.0 2.1.0
 * prod/     a plain copy of flingerator 1.0.0, a link to gnip-worker 2.0.0
 * </pre>
 * build/ also holds flingerator 1.3.0, which no environment serves yet.
 */
final class AdoptionRepo {

    static final List<String> FLINGERATOR = List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0");
    static final List<String> GNIP = List.of("2.0.0", "2.1.0", "2.1.1");

    private AdoptionRepo() {
    }

    static void build(Path root) {
        try {
            Path build = Files.createDirectories(root.resolve("build"));
            for (String v : FLINGERATOR) {
                Rpms.build(build, "flingerator", v, "1", "ab/cd: flingerator " + v);
            }
            for (String v : GNIP) {
                Rpms.build(build, "gnip-worker", v, "1", "ef/gh: gnip-worker " + v);
            }
            Rpms.settle(build);
            for (String env : List.of("review", "staging", "prod")) {
                Files.createDirectories(root.resolve(env));
            }
            link(root, "review", "flingerator", "1.0.0", "1.1.0", "1.2.0");
            link(root, "review", "gnip-worker", "2.0.0", "2.1.0", "2.1.1");
            link(root, "staging", "flingerator", "1.0.0", "1.1.0");
            link(root, "staging", "gnip-worker", "2.0.0", "2.1.0");
            Files.copy(build.resolve(file("flingerator", "1.0.0")), root.resolve("prod").resolve(file("flingerator", "1.0.0")));
            link(root, "prod", "gnip-worker", "2.0.0");
            for (String env : List.of("review", "staging", "prod")) {
                run("createrepo_c", "--quiet", "--no-database", root.resolve(env).toString());
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not build the adopted repo server", e);
        }
    }

    static String file(String pkg, String version) {
        return pkg + "-" + version + "-1.noarch.rpm";
    }

    static String nevra(String pkg, String version) {
        return pkg + "-" + version + "-1.noarch";
    }

    private static void link(Path root, String env, String pkg, String... versions) throws IOException {
        for (String v : versions) {
            Files.createSymbolicLink(root.resolve(env).resolve(file(pkg, v)), Path.of("../build/" + file(pkg, v)));
        }
    }

    /**
     * A person at the repo server: runs {@code shell} in the environment's directory holding
     * its lock, the way the README tells people to ({@code flock ENV/.yardmaster.lock ...}).
     */
    static void byHand(Path root, String env, String shell) {
        run("flock", root.resolve(env).resolve(EnvironmentRepo.LOCK_FILE).toString(), "sh", "-c",
                "cd " + root.resolve(env) + " && " + shell);
    }

    static void run(String... argv) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(argv))).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
