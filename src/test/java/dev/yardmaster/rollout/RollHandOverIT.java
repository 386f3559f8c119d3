package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.testing.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged Yardmaster processes on one database, as two Kubernetes replicas: SIGTERM to the
 * process that holds a roll's lease lets its running host finish, releases the lease, and the
 * other process continues at once; every host ends on the target, restarted exactly once.
 * Runs after {@code package} (failsafe) against the loopback fleet ({@code bin/fleet}).
 */
class RollHandOverIT {

    static final Path WORK = Path.of("target", "handover").toAbsolutePath();
    static final Path FLEET_DIR = WORK.resolve("fleet");
    static final String FLEET = System.getProperty("yardmaster.fleet.command", Path.of("bin", "fleet").toAbsolutePath().toString());
    static final String JDBC = System.getProperty("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/yardmaster_test");
    static final int HOSTS = 3;
    static final String SLOW_HOST = "127.0.1.2";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Instance(String name, Process process, int port) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    static final List<Instance> instances = new ArrayList<>();

    @BeforeAll
    static void fleetAndTwoInstances() throws Exception {
        assertThat(Path.of(FLEET)).as("the loopback fleet script (branch fleet) at " + FLEET).isExecutable();
        assertThat(Path.of("target", "quarkus-app", "quarkus-run.jar")).as("the packaged application").exists();
        Files.createDirectories(WORK);
        fleetDown();
        fleet("up", "--hosts", String.valueOf(HOSTS), "--port", String.valueOf(Integer.getInteger("yardmaster.test.handover-fleet-port", 2405)), "--envs", "staging:1", "--types", "web:1");
        // The first instance starts on an empty schema and imports the fleet's inventory; the
        // second joins the same database afterwards, as a second replica would.
        instances.add(start("a", true));
        awaitReady(instances.get(0));
        instances.add(start("b", false));
        awaitReady(instances.get(1));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Instance instance : instances) {
            instance.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        fleetDown();
    }

    @Test
    void sigtermToTheRollOwnerHandsTheRollOverWithoutLosingOrRepeatingAHost() throws Exception {
        String token = Tokens.user("alice");
        // One host at a time and a slow second host, so SIGTERM lands while that host runs.
        fleet("fault", SLOW_HOST, "slow", "on", "2");
        JsonNode roll = call(instances.get(0), "POST", "/api/rolls", token, """
                {"package": "flingerator", "environment": "staging", "target": "1.2.0-1", "canary": 0,
                 "batchSize": "1", "parallelism": 1}""");
        long id = roll.path("id").asLong();
        assertThat(roll.path("hosts").asInt()).isEqualTo(HOSTS);

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> hostStatus(id, SLOW_HOST, token).equals("RUNNING"));
        String firstOwner = call(instances.get(0), "GET", "/api/rolls/" + id, token, null).path("leaseOwner").asText();
        Instance owner = instances.stream().filter(i -> firstOwner.contains("/" + i.process().pid() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("lease owner " + firstOwner + " is neither instance"));
        Instance other = instances.stream().filter(i -> i != owner).findFirst().orElseThrow();

        long sigterm = System.nanoTime();
        owner.process().destroy(); // SIGTERM
        assertThat(owner.process().waitFor(60, TimeUnit.SECONDS)).as("the owner exits within the grace period").isTrue();
        double exitSeconds = (System.nanoTime() - sigterm) / 1e9;

        // The other replica takes the released lease at its next heartbeat, long before the lease (15s) would expire.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> call(other, "GET",
                "/api/rolls/" + id, token, null).path("leaseOwner").asText().contains("/" + other.process().pid() + "/"));
        double handOverSeconds = (System.nanoTime() - sigterm) / 1e9;
        await().atMost(Duration.ofSeconds(240)).until(() -> call(other, "GET", "/api/rolls/" + id, token, null)
                .path("status").asText().equals("SUCCEEDED"));

        JsonNode hosts = call(other, "GET", "/api/rolls/" + id + "/hosts", token, null);
        Map<String, String[]> fleetState = fleetState();
        assertThat(fleetState).hasSize(HOSTS);
        for (JsonNode host : hosts) {
            String address = host.path("address").asText();
            assertThat(host.path("status").asText()).as(address).isEqualTo("SUCCEEDED");
            assertThat(host.path("restarts").asInt()).as("restarts recorded for " + address).isEqualTo(1);
            assertThat(fleetState.get(address)[0]).as("installed on " + address).isEqualTo("flingerator-1.2.0-1");
            assertThat(fleetState.get(address)[1]).as("service restarts on " + address).isEqualTo("1");
        }
        System.out.printf("hand-over: owner exited %.1f s after SIGTERM, other replica held the lease %.1f s after SIGTERM%n",
                exitSeconds, handOverSeconds);

        // Every log line the instances wrote about the roll carries its id (JSON logs, MDC roll.id);
        // the roll engine logs only problems, so a clean hand-over may write none.
        List<JsonNode> rollLines = new ArrayList<>();
        for (Instance instance : instances) {
            for (String line : Files.readAllLines(WORK.resolve(instance.name() + ".log"))) {
                if (line.startsWith("{") && line.contains("\"loggerName\":\"dev.yardmaster.rollout")) {
                    rollLines.add(JSON.readTree(line));
                }
            }
        }
        assertThat(rollLines).allSatisfy(line -> assertThat(line.at("/mdc/roll.id").asText())
                .as(line.path("message").asText()).isEqualTo("roll=" + id + " "));
    }

    // ---- processes ---------------------------------------------------------------------------

    static Instance start(String name, boolean cleanDatabase) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.jdbc.url=" + JDBC,
                "-Dquarkus.flyway.clean-at-start=" + cleanDatabase,
                "-Dquarkus.flyway.clean-disabled=false",
                "-Dquarkus.log.console.json.enabled=true",
                "-Dyardmaster.ssh.user=" + fleetUser(),
                "-Dyardmaster.ssh.private-key=" + FLEET_DIR.resolve("keys/deploy"),
                "-Dyardmaster.ssh.known-hosts=" + FLEET_DIR.resolve("known_hosts"),
                "-Dyardmaster.inventory.import-file=" + FLEET_DIR.resolve("inventory.csv"),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString()));
        Path log = WORK.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Instance(name, process, port);
    }

    static void awaitReady(Instance instance) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(instance.process().isAlive()).as(instance.name() + " is running (see " + WORK + ")").isTrue();
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(instance.url("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    static JsonNode call(Instance instance, String method, String path, String token, String body) throws Exception {
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

    static String hostStatus(long rollId, String address, String token) throws Exception {
        Instance alive = instances.stream().filter(i -> i.process().isAlive()).findFirst().orElseThrow();
        return hostStatus(alive, rollId, address, token);
    }

    static String hostStatus(Instance instance, long rollId, String address, String token) throws Exception {
        for (JsonNode host : call(instance, "GET", "/api/rolls/" + rollId + "/hosts", token, null)) {
            if (host.path("address").asText().equals(address)) {
                return host.path("status").asText();
            }
        }
        throw new AssertionError("no host " + address + " in roll " + rollId);
    }

    // ---- the fleet ---------------------------------------------------------------------------

    static String fleet(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(FLEET, args[0], "--dir", FLEET_DIR.toString()));
        command.addAll(List.of(args).subList(1, args.length));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    /** The login user of the fleet's sshd (written to fleet.conf by bin/fleet up). */
    static String fleetUser() throws IOException {
        return Files.readAllLines(FLEET_DIR.resolve("fleet.conf")).stream().filter(l -> l.startsWith("user="))
                .map(l -> l.substring(5)).findFirst().orElseThrow(() -> new AssertionError("no user= in fleet.conf"));
    }

    /** Stops a fleet left by an earlier run (only a directory bin/fleet marked as its own). */
    static void fleetDown() throws IOException, InterruptedException {
        if (Files.exists(FLEET_DIR.resolve(".yardmaster-fleet"))) {
            fleet("down");
        }
    }

    /** address → {installed, restarts} from {@code bin/fleet state}. */
    static Map<String, String[]> fleetState() throws IOException, InterruptedException {
        Map<String, String[]> state = new LinkedHashMap<>();
        for (String line : fleet("state").split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 5 && cols[0].matches("127\\.[0-9.]+")) {
                state.put(cols[0], new String[] {cols[3], cols[4]});
            }
        }
        return state;
    }
}
