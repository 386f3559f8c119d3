package dev.yardmaster.testing.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The loopback fleet of bin/fleet for Java tests: a repo server and N hosts at 127.0.1.x
 * behind one sshd. One fleet per (directory, port) per JVM, brought up on first use and torn
 * down when the JVM exits. Faults and state go through the same CLI a person uses.
 */
public final class LoopbackFleet {

    /** One host of the inventory. */
    public record Host(String address, int port, String environment, String nodeType, String packageName) {
    }

    /** What a host runs right now. */
    public record State(String installed, int restarts, String active, String faults) {
    }

    private static final Map<Path, LoopbackFleet> RUNNING = new ConcurrentHashMap<>();

    private final Path dir;
    private final int port;
    private final int hosts;

    private LoopbackFleet(Path dir, int port, int hosts) {
        this.dir = dir;
        this.port = port;
        this.hosts = hosts;
    }

    /**
     * The fleet in {@code target/<name>} on {@code port} with at least {@code hosts} hosts;
     * {@code envs} and {@code types} as bin/fleet takes them (e.g. "review:1,staging:1,prod:2").
     */
    public static synchronized LoopbackFleet up(String name, int port, int hosts, String envs, String types) {
        Path dir = Path.of("target", name).toAbsolutePath();
        LoopbackFleet existing = RUNNING.get(dir);
        if (existing != null && existing.hosts >= hosts) {
            return existing;
        }
        LoopbackFleet fleet = new LoopbackFleet(dir, port, hosts);
        if (Files.exists(dir.resolve(".yardmaster-fleet"))) {
            fleet.run("down"); // left over from an earlier run that was killed
        }
        fleet.run("up", "--hosts", Integer.toString(hosts), "--port", Integer.toString(port), "--envs", envs, "--types", types);
        RUNNING.put(dir, fleet);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> fleet.runQuietly("down")));
        return fleet;
    }

    public Path dir() {
        return dir;
    }

    public int port() {
        return port;
    }

    public Path repoRoot() {
        return dir.resolve("repo");
    }

    public Path privateKey() {
        return dir.resolve("keys/deploy");
    }

    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    public Path inventoryCsv() {
        return dir.resolve("inventory.csv");
    }

    /** The user sshd accepts (the fleet runs as whoever started it). */
    public String user() {
        return System.getProperty("user.name");
    }

    /** Configuration that points Yardmaster at this fleet. */
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("yardmaster.repo.path", repoRoot().toString());
        config.put("yardmaster.ssh.private-key", privateKey().toString());
        config.put("yardmaster.ssh.known-hosts", knownHosts().toString());
        config.put("yardmaster.ssh.user", user());
        config.put("yardmaster.ssh.port", Integer.toString(port));
        config.put("yardmaster.inventory.import-file", inventoryCsv().toString());
        return config;
    }

    /** Every host, from the inventory the fleet wrote. */
    public List<Host> hosts() {
        try {
            List<Host> list = new ArrayList<>();
            for (String line : Files.readAllLines(inventoryCsv()).stream().skip(1).toList()) {
                String[] f = line.split(",", -1);
                list.add(new Host(f[0], Integer.parseInt(f[1]), f[2], f[3], f[4].split(" ")[0]));
            }
            return list;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Host> hosts(String environment, String packageName) {
        return hosts().stream().filter(h -> h.environment().equals(environment) && h.packageName().equals(packageName))
                .toList();
    }

    /** Switches a fault (refused, hang, yum-fail, hostkey, slow, health-fail) on or off. */
    public void fault(String address, String kind, boolean on) {
        run("fault", address, kind, on ? "on" : "off");
    }

    public void clearFaults() {
        for (Host host : hosts()) {
            run("fault", host.address(), "clear");
        }
    }

    /** Every host's state, by address. */
    public Map<String, State> state() {
        Map<String, State> states = new LinkedHashMap<>();
        for (String line : run("state").lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7) {
                states.put(f[0], new State(f[3], Integer.parseInt(f[4]), f[5], f[6]));
            }
        }
        return states;
    }

    public State state(String address) {
        return state().get(address);
    }

    /** Builds an RPM into the repo server's build/ and returns its file name. */
    public String buildRpm(String name, String version, String release, String commitLine) {
        return Path.of(run("build-rpm", name, version, release, commitLine).strip()).getFileName().toString();
    }

    /** Links build/FILE into ENV and refreshes its metadata, as a person would by hand. */
    public void promote(String environment, String file) {
        run("promote", environment, file);
    }

    String run(String... args) {
        List<String> command = new ArrayList<>(List.of(script().toString()));
        command.add(args[0]);
        command.add("--dir");
        command.add(dir.toString());
        command.addAll(List.of(args).subList(1, args.length));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void runQuietly(String... args) {
        try {
            run(args);
        } catch (RuntimeException e) {
            // Shutting down: nothing left to report to.
        }
    }

    static Path script() {
        return Path.of("bin", "fleet").toAbsolutePath();
    }
}
