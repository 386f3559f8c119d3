package dev.yardmaster.rollout;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The roll tests' 20-host fleet ({@link RollFleet}, started once for the profile) as production
 * runs it: the start-up and new-host checks on ({@code yardmaster.drift.ask-hosts}), JSON log
 * lines as the Helm chart sets them, and the fleet's repo server as the catalog's. HostCheckTest
 * and ObservabilityTest share it (one augmentation and start instead of two, ~45 s each on 2
 * cores). HostCheckTest reads what the start-up check found before any roll: it runs first
 * because Quarkus orders a profile's classes by name (drift before observability); a class added
 * here must not roll before it, or must sort after it.
 */
public class CheckedFleetProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("yardmaster.drift.ask-hosts", "true",
                "quarkus.log.console.json.enabled", "true");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        // repo=true: RollFleet gives the fleet's repo server to the catalog (one home for those settings).
        return List.of(new TestResourceEntry(RollFleet.class, Map.of("repo", "true")));
    }
}
