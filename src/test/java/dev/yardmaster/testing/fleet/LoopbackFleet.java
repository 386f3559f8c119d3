package dev.yardmaster.testing.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one driver of the loopback fleet of yum servers (bin/fleet) for tests and benchmarks. Either
 * {@link #shared()}: brought up once per JVM under target/fleet on port 2322 and shared by every
 * test that asks for it, torn down by a shutdown hook if this JVM brought it up
 * (-Dyardmaster.fleet.keep=true keeps it for a look afterwards); or {@link #fresh}: a fleet of a
 * given shape in a directory of its own (the roll tests' 20 staging web hosts, the kill drills' 50,
 * four EC2 workers), brought up new and taken down with {@link #close()}.
 */
public final class LoopbackFleet implements AutoCloseable {

    /** Port of the test fleet; the demo fleet uses 2222, so both can run at once. */
    public static final int TEST_PORT = Integer.getInteger("yardmaster.fleet.port", dev.yardmaster.testing.TestPorts.of(2322));
    /** Environment weights of the test fleet: half and more of it in review, so 50 hosts give 21 review web nodes. */
    public static final String TEST_ENVS = "review:3,staging:1,prod:1";
    /** Hosts brought up when a test does not ask for more. */
    public static final int DEFAULT_HOSTS = 50;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static LoopbackFleet shared;

    private final Path projectDir;
    private final Path dir;
    private final int port;
    private final List<FleetHost> hosts;

    private LoopbackFleet(Path projectDir, Path dir, int port) {
        this.projectDir = projectDir;
        this.dir = dir;
        this.port = port;
        this.hosts = readInventory(dir.resolve("inventory.csv"));
    }

    /** The JVM's fleet with at least {@link #DEFAULT_HOSTS} hosts. */
    public static LoopbackFleet shared() {
        return shared(DEFAULT_HOSTS);
    }

    /** The JVM's fleet, brought up (or grown) to at least {@code minHosts} hosts. */
    public static synchronized LoopbackFleet shared(int minHosts) {
        if (shared != null && shared.hosts.size() >= minHosts) {
            return shared;
        }
        Path project = projectDir();
        Path dir = project.resolve("target/fleet");
        int running = shared != null ? shared.hosts.size() : runningHosts(dir);
        if (running < minHosts) {
            run(project, 180, "up", "--dir", dir.toString(), "--hosts", String.valueOf(Math.max(minHosts, DEFAULT_HOSTS)),
                    "--port", String.valueOf(TEST_PORT), "--envs", TEST_ENVS);
            if (shared == null && !Boolean.getBoolean("yardmaster.fleet.keep")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.close(), "fleet-down"));
            }
        }
        shared = new LoopbackFleet(project, dir, TEST_PORT);
        return shared;
    }

    /**
     * A fleet of its own in {@code dir}: a fleet an interrupted run left there is taken down first
     * (only a directory bin/fleet marked as its own), then {@code hosts} hosts come up on
     * {@code port}, spread over {@code envs} and {@code types} by weight ("staging:1", "web:1").
     */
    public static LoopbackFleet fresh(Path dir, int port, int hosts, String envs, String types) {
        Path project = projectDir();
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs.resolve(".yardmaster-fleet"))) {
            run(project, 60, "down", "--dir", abs.toString());
        }
        run(project, 600, "up", "--dir", abs.toString(), "--hosts", String.valueOf(hosts), "--port", String.valueOf(port),
                "--envs", envs, "--types", types);
        return new LoopbackFleet(project, abs, port);
    }

    /** Every host, in address order. */
    public List<FleetHost> hosts() {
        return hosts;
    }

    /** Hosts of one environment and node type ({@code web} runs flingerator, {@code worker} gnip-worker). */
    public List<FleetHost> hosts(String environment, String nodeType) {
        return hosts.stream().filter(h -> h.environment().equals(environment) && h.nodeType().equals(nodeType)).toList();
    }

    public Path dir() {
        return dir;
    }

    /** The repo server: build/ plus one yum repository per environment. */
    public Path repoDir() {
        return dir.resolve("repo");
    }

    /** The deploy key's private half (ed25519, no passphrase). */
    public Path privateKey() {
        return dir.resolve("keys/deploy");
    }

    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    public Path inventoryCsv() {
        return dir.resolve("inventory.csv");
    }

    public int port() {
        return port;
    }

    /** The services' HTTP port (/healthz, /metrics on every host address): bin/fleet's default, the SSH port + 6000. */
    public int httpPort() {
        return port + 6000;
    }

    /** Starts (once; idempotent) Debian's Prometheus scraping every host each second on {@code port}; returns its URL. */
    public String prometheus(int port) {
        return fleet("prometheus", "--port", String.valueOf(port), "--interval", "1s").strip();
    }

    /** The user to log in as: whoever brought the fleet up (root). */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The host at {@code address}. */
    public FleetHost host(String address) {
        return hosts.stream().filter(h -> h.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fleet host at " + address + " in " + dir));
    }

    public void fault(FleetHost host, Fault fault, boolean on) {
        fleet("fault", host.address(), fault.cliName(), on ? "on" : "off");
    }

    /** Where bin/fleet can hold a host in its run (the pause fault): the kill drills' points. */
    public static final List<String> HOLD_POINTS = List.of("before-update", "after-update", "after-restart");

    /** Holds every host that reaches {@code point} (one of {@link #HOLD_POINTS}) there until released. */
    public void holdAt(String point) {
        if (!HOLD_POINTS.contains(point)) {
            throw new IllegalArgumentException("no hold point " + point + "; known: " + HOLD_POINTS);
        }
        for (FleetHost host : hosts) {
            fleet("fault", host.address(), "pause", "on", point);
        }
    }

    /** Lets every held host go on (or, when the run that reached the point is gone, end). */
    public void releaseHolds() {
        for (FleetHost host : hosts) {
            fleet("fault", host.address(), "pause", "off");
        }
    }

    /** The addresses of the hosts held at a point now. */
    public java.util.Set<String> held() {
        java.util.Set<String> held = new java.util.TreeSet<>();
        for (FleetHost host : hosts) {
            if (Files.exists(dir.resolve("hosts").resolve(host.address()).resolve("run/paused"))) {
                held.add(host.address());
            }
        }
        return held;
    }

    /** Turns every fault off on every host. */
    public void clearFaults() {
        for (FleetHost host : hosts) {
            if (Files.exists(dir.resolve("hosts").resolve(host.address()).resolve("faults"))
                    && hasFaults(host)) {
                fleet("fault", host.address(), "clear");
            }
        }
    }

    private boolean hasFaults(FleetHost host) {
        try (var files = Files.list(dir.resolve("hosts").resolve(host.address()).resolve("faults"))) {
            return files.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every host's state, by address, from one {@code bin/fleet state --json}. */
    public java.util.Map<String, HostState> states() {
        String json = fleet("state", "--json");
        try {
            java.util.Map<String, HostState> states = new java.util.LinkedHashMap<>();
            for (HostState state : JSON.readValue(json, HostState[].class)) {
                states.put(state.address(), state);
            }
            return states;
        } catch (IOException e) {
            throw new UncheckedIOException("bad state JSON: " + json, e);
        }
    }

    /**
     * Runs {@code command} (plain tokens only) on one host over OpenSSH, as an operator would,
     * and returns its output; fails unless it exits 0.
     */
    public String ssh(String address, String... command) {
        List<String> line = new ArrayList<>(List.of("ssh", "-p", String.valueOf(port), "-i", privateKey().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", user() + "@" + address));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HostState state(FleetHost host) {
        String json = fleet("state", host.address(), "--json");
        try {
            return JSON.readValue(json, HostState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("bad state JSON: " + json, e);
        }
    }

    /** Builds a service RPM into build/ (kept if it exists) and returns its path. */
    public Path buildRpm(String name, String version, String release, String commitLine) {
        return Path.of(fleet("build-rpm", name, version, release, commitLine).strip());
    }

    public Path buildRpm(String name, String version, String release, String commitLine, int epoch) {
        return Path.of(fleet("build-rpm", name, version, release, commitLine, "--epoch", String.valueOf(epoch)).strip());
    }

    /** Installs (or downgrades to) {@code nevra} on the host at {@code address} from its environment's repo. */
    public void install(String address, String nevra) {
        fleet("install", address, nevra);
    }

    /** Links build/{file} into the environment's repository and updates its metadata. */
    public void promote(String environment, String file) {
        fleet("promote", environment, file);
    }

    /** Stops the fleet and removes its directory. */
    public void close() {
        run(projectDir, 60, "down", "--dir", dir.toString());
    }

    private String fleet(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(projectDir, 60, all);
    }

    private static int runningHosts(Path dir) {
        try {
            Path pid = dir.resolve("run/listener.pid");
            if (!Files.exists(pid) || !Files.exists(dir.resolve("inventory.csv"))) {
                return 0;
            }
            long p = Long.parseLong(Files.readString(pid).strip());
            if (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)
                    && Files.readString(dir.resolve("fleet.conf")).contains("port=" + TEST_PORT + "\n")) {
                return readInventory(dir.resolve("inventory.csv")).size();
            }
            return 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static List<FleetHost> readInventory(Path csv) {
        try {
            List<FleetHost> hosts = new ArrayList<>();
            for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
                String[] f = line.split(",", -1);
                hosts.add(new FleetHost(f[0], Integer.parseInt(f[1]), f[2], f[3],
                        Arrays.asList(f[4].split(" ")), Arrays.asList(f[5].split(" "))));
            }
            return List.copyOf(hosts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path projectDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("bin/fleet"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("bin/fleet not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static String run(Path project, int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>();
        command.add(project.resolve("bin/fleet").toString());
        command.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("fleet", ".err");
            Process process = new ProcessBuilder(command).directory(project.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("bin/fleet " + String.join(" ", args) + " timed out");
            }
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("bin/fleet " + String.join(" ", args) + " failed ("
                        + process.exitValue() + "): " + stderr);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
