package dev.yardmaster.testing.fleet;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The JVM's loopback fleet as a Quarkus test resource:
 * {@code @WithTestResource(LoopbackFleetResource.class)}. The fleet outlives the Quarkus app
 * (it is shared by the whole run), so {@link #stop()} leaves it up.
 */
public class LoopbackFleetResource implements QuarkusTestResourceLifecycleManager {

    private int hosts = LoopbackFleet.DEFAULT_HOSTS;

    @Override
    public void init(Map<String, String> initArgs) {
        hosts = Integer.parseInt(initArgs.getOrDefault("hosts", String.valueOf(hosts)));
    }

    @Override
    public Map<String, String> start() {
        LoopbackFleet fleet = LoopbackFleet.shared(hosts);
        return Map.ofEntries(
                Map.entry("yardmaster.test.fleet.dir", fleet.dir().toString()),
                Map.entry("yardmaster.test.fleet.port", String.valueOf(fleet.port())),
                Map.entry("yardmaster.test.fleet.user", fleet.user()),
                Map.entry("yardmaster.test.fleet.private-key", fleet.privateKey().toString()),
                Map.entry("yardmaster.test.fleet.known-hosts", fleet.knownHosts().toString()),
                Map.entry("yardmaster.test.fleet.repo-dir", fleet.repoDir().toString()),
                Map.entry("yardmaster.test.fleet.inventory", fleet.inventoryCsv().toString()),
                // The same settings bin/demo gives the console through environment variables.
                Map.entry("yardmaster.repo.path", fleet.repoDir().toString()),
                Map.entry("yardmaster.ssh.private-key", fleet.privateKey().toString()),
                Map.entry("yardmaster.ssh.known-hosts", fleet.knownHosts().toString()),
                Map.entry("yardmaster.inventory.import-file", fleet.inventoryCsv().toString()));
    }

    @Override
    public void stop() {
        // Shared with the rest of the run; LoopbackFleet's shutdown hook takes it down.
    }
}
