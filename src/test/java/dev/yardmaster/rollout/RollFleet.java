package dev.yardmaster.rollout;

import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The roll tests' fleet as a test resource: 20 staging web hosts running flingerator 1.1.0 on
 * their own sshd port, brought up new for each test class that names it (the tests count on
 * untouched hosts) and driven through {@link LoopbackFleet}.
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
    private boolean repo;

    /**
     * {@code prometheus=true}: Prometheus over the fleet; {@code repo=true}: the fleet's repo server
     * as the console's (promotions, rollbacks). Both as resource arguments, not a profile.
     */
    @Override
    public void init(Map<String, String> initArgs) {
        prometheus = Boolean.parseBoolean(initArgs.getOrDefault("prometheus", "false"));
        repo = Boolean.parseBoolean(initArgs.getOrDefault("repo", "false"));
    }

    private static volatile LoopbackFleet fleet;

    /** The fleet of the running test class. */
    public static LoopbackFleet fleet() {
        if (fleet == null) {
            throw new IllegalStateException("RollFleet is not started: annotate the test with @QuarkusTestResource(RollFleet.class)");
        }
        return fleet;
    }

    @Override
    public Map<String, String> start() {
        fleet = LoopbackFleet.fresh(DIR, PORT, HOSTS, "staging:1", "web:1");
        Map<String, String> config = new HashMap<>(Map.of("yardmaster.ssh.private-key", fleet.privateKey().toString(),
                "yardmaster.ssh.known-hosts", fleet.knownHosts().toString(),
                "yardmaster.ssh.user", fleet.user(),
                "yardmaster.inventory.import-file", fleet.inventoryCsv().toString()));
        if (prometheus) {
            // The same command bin/demo starts it with: Debian's prometheus scraping every host each second.
            fleet.prometheus(PROMETHEUS_PORT);
            config.put("yardmaster.prometheus.url", "http://127.0.0.1:" + PROMETHEUS_PORT);
        }
        if (repo) {
            // The fleet's repo server as the catalog's and the promotions' (scans on request only).
            config.put("yardmaster.repo.mode", "local");
            config.put("yardmaster.repo.path", DIR.resolve("repo").toString());
            config.put("yardmaster.catalog.scan-interval", "off");
            config.put("yardmaster.catalog.watch", "false");
        }
        return config;
    }

    @Override
    public void stop() {
        if (fleet != null) {
            fleet.close();
            fleet = null;
        }
    }

    /** 127.0.1.n */
    public static String address(int n) {
        return "127.0.1." + n;
    }

    /** Switches a fault on or off on host 127.0.1.n. */
    public static void fault(int n, Fault fault, boolean on) {
        fleet().fault(fleet().host(address(n)), fault, on);
    }
}
