package dev.yardmaster.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Packaged Yardmaster processes ({@code target/quarkus-app}) on one test database and a loopback
 * fleet of their own (driven by {@link LoopbackFleet}), for failsafe tests that kill, stop and
 * restart the application as Kubernetes would. Each test class gets its own work directory and
 * sshd port; {@link #forRolls} is the set-up the roll ITs share.
 */
public final class PackagedRig implements AutoCloseable {

    public static final String JDBC = System.getProperty("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/yardmaster_test");
    public static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One running application process. */
    public record Instance(String name, Process process, int port, int managementPort) {
        public String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** Health and metrics: the management interface, a port of its own. */
        public String managementUrl(String path) {
            return "http://127.0.0.1:" + managementPort + path;
        }

        public long pid() {
            return process.pid();
        }

        /** Whether {@code leaseOwner} (host/pid/random) names this process. */
        public boolean owns(String leaseOwner) {
            return leaseOwner != null && leaseOwner.contains("/" + pid() + "/");
        }
    }

    private final Path work;
    private final Path fleetDir;
    private LoopbackFleet fleet;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<Instance> instances = new ArrayList<>();

    /** A rig under {@code target/<name>}; {@code properties} are passed to every instance as -D. */
    public PackagedRig(String name, Map<String, String> properties) throws IOException, InterruptedException {
        this.work = Path.of("target", name).toAbsolutePath();
        this.fleetDir = work.resolve("fleet");
        this.properties.putAll(properties);
        assertThat(Path.of("target", "quarkus-app", "quarkus-run.jar")).as("the packaged application").exists();
        Files.createDirectories(work);
    }

    /**
     * The set-up the roll ITs (crash, takeover, hand-over) share: a rig under
     * {@code target/<name>} with {@code properties}, a fresh fleet of {@code hosts} staging web
     * hosts running flingerator 1.1.0 on {@code port}, and one instance per name in
     * {@code instances}, the first on a clean schema (it imports the fleet's inventory), the others
     * joining it as replicas.
     */
    public static PackagedRig forRolls(String name, Map<String, String> properties, int hosts, int port, boolean cheapInstall,
            String... instances) throws IOException, InterruptedException {
        PackagedRig rig = new PackagedRig(name, properties);
        try {
            if (cheapInstall) {
                rig.cheapInstall();
            }
            rig.fleetUp(hosts, port);
            for (int i = 0; i < instances.length; i++) {
                rig.start(instances[i], i == 0);
            }
            return rig;
        } catch (IOException | RuntimeException | Error e) {
            try {
                rig.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Adds a -D property for instances started from now on. */
    public PackagedRig set(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /**
     * The cheapest update the fleet allows: {@code rpm -U} of the build's file from the fleet's
     * drop box instead of a dnf transaction (~1 CPU-s per host), so 50-host rolls stay quick on
     * 2 cores. Every other step (rpm -q, restart, health) runs as in production.
     */
    public PackagedRig cheapInstall() {
        return set("yardmaster.rolls.install-command",
                "sudo -n rpm -U " + fleetDir.resolve("repo/build") + "/{package}-{evr}.noarch.rpm");
    }

    public Path work() {
        return work;
    }

    public Path fleetDir() {
        return fleetDir;
    }

    public List<Instance> instances() {
        return List.copyOf(instances);
    }

    /** A fresh fleet in {@link #fleetDir()}: one staging environment of web hosts running flingerator 1.1.0. */
    public void fleetUp(int hosts, int port) {
        fleet = LoopbackFleet.fresh(fleetDir, port, hosts, "staging:1", "web:1");
    }

    /** The rig's fleet (after {@link #fleetUp}). */
    public LoopbackFleet fleet() {
        if (fleet == null) {
            throw new IllegalStateException("no fleet: call fleetUp first");
        }
        return fleet;
    }

    // ---- processes ---------------------------------------------------------------------------

    /**
     * Starts a packaged instance and waits until it is ready. The first instance of a test starts
     * on an empty schema ({@code cleanDatabase}) and imports the fleet's inventory; later ones
     * join the same database as a second replica or a restarted process would.
     */
    public Instance start(String name, boolean cleanDatabase) throws IOException {
        int port;
        int managementPort;
        try (ServerSocket socket = new ServerSocket(0); ServerSocket management = new ServerSocket(0)) {
            port = socket.getLocalPort();
            managementPort = management.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.datasource.jdbc.url=" + JDBC,
                "-Dquarkus.flyway.clean-at-start=" + cleanDatabase,
                "-Dquarkus.flyway.clean-disabled=false",
                "-Dquarkus.log.console.json.enabled=true",
                "-Dyardmaster.ssh.user=" + fleet().user(),
                "-Dyardmaster.ssh.private-key=" + fleetDir.resolve("keys/deploy"),
                "-Dyardmaster.ssh.known-hosts=" + fleetDir.resolve("known_hosts"),
                "-Dyardmaster.inventory.import-file=" + fleetDir.resolve("inventory.csv")));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString()));
        Path log = work.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instance instance = new Instance(name, process, port, managementPort);
        instances.add(instance);
        awaitReady(instance);
        return instance;
    }

    private void awaitReady(Instance instance) {
        // 240 s: on a loaded 2-core machine a first start (clean schema, migrations) took over 120 s.
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(instance.process().isAlive()).as(instance.name() + " is running (see " + work + ")").isTrue();
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(instance.managementUrl("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** {@code kill -9}: no shutdown hook, no lease released, connections cut by the kernel. */
    public void kill(Instance instance) throws InterruptedException {
        instance.process().destroyForcibly(); // SIGKILL on Linux
        assertThat(instance.process().waitFor(30, TimeUnit.SECONDS)).as(instance.name() + " died").isTrue();
    }

    /** The instance still running (any of them). */
    public Instance alive() {
        return instances.stream().filter(i -> i.process().isAlive()).findFirst()
                .orElseThrow(() -> new AssertionError("no instance is running"));
    }

    public JsonNode call(Instance instance, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(instance.url(path)))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    /** The lines the instance logged (JSON log lines only). */
    public List<JsonNode> jsonLog(Instance instance) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve(instance.name() + ".log"))) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    // ---- the database ------------------------------------------------------------------------

    /** A plain JDBC connection to the test database, to watch a roll while its instances die. */
    public static Connection database() throws SQLException {
        return DriverManager.getConnection(JDBC, System.getProperty("quarkus.datasource.username", "yardmaster"),
                System.getProperty("quarkus.datasource.password", "yardmaster"));
    }

    /** Host status → count for one roll, straight from {@code roll_host}. */
    public static Map<String, Integer> hostCounts(long rollId) throws SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (Connection c = database(); var s = c.prepareStatement("select status, count(*) from roll_host where roll_id = ? group by status")) {
            s.setLong(1, rollId);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    /** Address → status of one roll's hosts, straight from {@code roll_host}. */
    public static Map<String, String> hostStatuses(long rollId) throws SQLException {
        Map<String, String> statuses = new LinkedHashMap<>();
        try (Connection c = database(); var s = c.prepareStatement("select address, status from roll_host where roll_id = ? order by position")) {
            s.setLong(1, rollId);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return statuses;
    }

    /** The hosts with one status, from a {@link #hostStatuses} map. */
    public static Set<String> hostsIn(Map<String, String> statuses, String status) {
        Set<String> hosts = new java.util.TreeSet<>();
        statuses.forEach((address, s) -> {
            if (s.equals(status)) {
                hosts.add(address);
            }
        });
        return hosts;
    }

    /** Who holds a roll's lease now, straight from {@code roll} (null when nobody). */
    public static String leaseOwner(long rollId) throws SQLException {
        try (Connection c = database(); var s = c.prepareStatement("select lease_owner from roll where id = ?")) {
            s.setLong(1, rollId);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The reasons a roll's RollChanged events gave, in order (nulls left out). */
    public static List<String> rollReasons(long rollId) throws SQLException {
        List<String> reasons = new ArrayList<>();
        try (Connection c = database(); var s = c.prepareStatement(
                "select data::json->>'reason' from roll_event where roll_id = ? and type = 'RollChanged' order by id")) {
            s.setLong(1, rollId);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        reasons.add(rs.getString(1));
                    }
                }
            }
        }
        return reasons;
    }

    /** Address → log of one roll's hosts. */
    public static Map<String, String> hostLogs(long rollId) throws SQLException {
        Map<String, String> logs = new LinkedHashMap<>();
        try (Connection c = database(); var s = c.prepareStatement("select address, log from roll_host where roll_id = ? order by position")) {
            s.setLong(1, rollId);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    logs.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return logs;
    }

    // ---- the fleet ---------------------------------------------------------------------------

    /** address → {installed NAME-VERSION-RELEASE of flingerator, restarts of flingerator}, from the fleet. */
    public Map<String, String[]> fleetState() {
        Map<String, String[]> state = new LinkedHashMap<>();
        fleet().states().forEach((address, host) -> state.put(address,
                new String[] {"flingerator-" + host.installedVersion("flingerator"), String.valueOf(host.restarts("flingerator"))}));
        return state;
    }

    /**
     * The acceptance of a roll that survived kills, judged by the fleet itself: every host
     * SUCCEEDED, running {@code target} and restarted exactly once, also the hosts in flight at a
     * kill (none restarted twice, none left behind); the hosts finished before the last kill not
     * restarted after it. Returns how many hosts were restarted more than once (asserted zero after
     * it is counted, so a failure message can say how many).
     */
    public int assertRolledOnce(JsonNode hosts, String packageName, String target, Set<String> inFlight, Set<String> finished,
            long killedAt) throws IOException, InterruptedException {
        Map<String, String[]> fleet = fleetState();
        assertThat(fleet).hasSize(hosts.size());
        int twice = 0;
        List<String> behind = new ArrayList<>();
        for (JsonNode host : hosts) {
            String address = host.path("address").asText();
            int restarts = Integer.parseInt(fleet.get(address)[1]);
            twice += Math.max(0, restarts - 1);
            if (!host.path("status").asText().equals("SUCCEEDED") || !fleet.get(address)[0].equals(packageName + "-" + target)
                    || restarts == 0) {
                behind.add(address + " " + host.path("status").asText() + " " + fleet.get(address)[0] + " restarts " + restarts);
            }
        }
        assertThat(behind).as("hosts left behind").isEmpty();
        for (JsonNode host : hosts) {
            String address = host.path("address").asText();
            assertThat(Integer.parseInt(fleet.get(address)[1])).as("restarts of " + address
                    + (inFlight.contains(address) ? ", in flight at a kill" : "") + " (" + twice + " restarted twice)").isEqualTo(1);
            if (finished.contains(address)) {
                Long last = fleet().states().get(address).services().get(host.path("service").asText()).lastRestartMillis();
                assertThat(last == null ? 0 : last).as("last restart of " + address
                        + ", finished before the kill").isLessThan(killedAt);
            }
        }
        return twice;
    }

    /** Kills every instance still running and takes the fleet down. */
    @Override
    public void close() throws Exception {
        for (Instance instance : instances) {
            instance.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (fleet != null) {
            fleet.close();
        }
    }
}
