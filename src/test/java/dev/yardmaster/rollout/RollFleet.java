package dev.yardmaster.rollout;

import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
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
        return Map.of("yardmaster.ssh.private-key", fleet.privateKey().toString(),
                "yardmaster.ssh.known-hosts", fleet.knownHosts().toString(),
                "yardmaster.ssh.user", fleet.user(),
                "yardmaster.inventory.import-file", fleet.inventoryCsv().toString());
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
