package dev.yardmaster.rollout;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The loopback fleet (bin/fleet, issue 4) for roll tests: 20 staging web hosts running
 * flingerator on sshd port 2401. Uses the repository's bin/fleet, or the fleet worktree's
 * until that branch is merged.
 */
public class RollFleet implements QuarkusTestResourceLifecycleManager {

    public static final int PORT = Integer.getInteger("yardmaster.test.fleet-port", dev.yardmaster.testing.TestPorts.of(2401));
    public static final Path DIR = Path.of(System.getProperty("yardmaster.test.fleet-dir", "target/roll-fleet")).toAbsolutePath();
    public static final int HOSTS = 20;
    /** The services' HTTP port (/healthz, /metrics): bin/fleet's default, the SSH port + 6000. */
    public static final int HTTP_PORT = PORT + 6000;
    /** Prometheus over the fleet, for classes that ask for it ({@code @ResourceArg(name = "prometheus", value = "true")}). */
    public static final int PROMETHEUS_PORT = dev.yardmaster.testing.TestPorts.of(9401);

    private boolean prometheus;

    @Override
    public void init(Map<String, String> initArgs) {
        prometheus = Boolean.parseBoolean(initArgs.getOrDefault("prometheus", "false"));
    }

    static Path script() {
        Path local = Path.of("bin/fleet");
        return Files.isExecutable(local) ? local.toAbsolutePath() : Path.of("/work/wt/fleet/bin/fleet");
    }

    @Override
    public Map<String, String> start() {
        stop(); // a fleet left by an interrupted run
        deleteRecursively(DIR);
        run("up", "--hosts", String.valueOf(HOSTS), "--port", String.valueOf(PORT), "--envs", "staging:1", "--types", "web:1");
        Map<String, String> config = new HashMap<>();
        config.put("yardmaster.ssh.private-key", DIR.resolve("keys/deploy").toString());
        config.put("yardmaster.ssh.known-hosts", DIR.resolve("known_hosts").toString());
        config.put("yardmaster.ssh.user", System.getProperty("user.name"));
        config.put("yardmaster.inventory.import-file", DIR.resolve("inventory.csv").toString());
        if (prometheus) {
            // The same command bin/demo starts it with: Debian's prometheus scraping every host each second.
            run("prometheus", "--port", String.valueOf(PROMETHEUS_PORT), "--interval", "1s");
            config.put("yardmaster.prometheus.url", "http://127.0.0.1:" + PROMETHEUS_PORT);
        }
        return config;
    }

    @Override
    public void stop() {
        // Bounded: never let a stuck fleet script hold the test run.
        if (!Files.exists(DIR.resolve("fleet.conf"))) {
            return;
        }
        try {
            Process down = new ProcessBuilder(script().toString(), "down", "--dir", DIR.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!down.waitFor(20, TimeUnit.SECONDS)) {
                down.destroyForcibly();
                Path pid = DIR.resolve("run/listener.pid");
                if (Files.exists(pid)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroy);
                }
            }
        } catch (IOException | InterruptedException | NumberFormatException e) {
            // best effort
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 127.0.1.n */
    public static String address(int n) {
        return "127.0.1." + n;
    }

    public static void fault(int host, String kind, boolean on) {
        run("fault", address(host), kind, on ? "on" : "off");
    }

    public static void clearFaults() {
        for (int n = 1; n <= HOSTS; n++) {
            run("fault", address(n), "clear");
        }
    }

    /** Installed flingerator EVR and restart count per address, from {@code bin/fleet state}. */
    public record HostState(String installed, int restarts, String active) {
    }

    public static Map<String, HostState> state() {
        String out = run("state");
        Map<String, HostState> states = new HashMap<>();
        for (String line : out.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].startsWith("127.")) {
                states.put(f[0], new HostState(f[3].replace("flingerator-", ""), Integer.parseInt(f[4]), f[5]));
            }
        }
        return states;
    }

    static String run(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(script().toString()));
        command.addAll(List.of(args));
        command.add("--dir");
        command.add(DIR.toString());
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("bin/fleet " + String.join(" ", args) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
