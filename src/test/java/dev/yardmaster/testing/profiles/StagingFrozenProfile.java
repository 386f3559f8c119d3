package dev.yardmaster.testing.profiles;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Staging frozen for the whole application (review and prod are not), and the roll runner off so
 * rolls stored by a test stay as written. One profile for every test about freeze windows
 * (FrozenRollsTest, InventoryAuthorityTest): each profile costs the suite an augmentation and a
 * start (~45 s on 2 cores), so tests that can share this configuration share this class.
 */
public class StagingFrozenProfile implements QuarkusTestProfile {

    /** The window, as the refusals print it. */
    public static final String WINDOW = "2000-01-01T00:00-2999-12-31T23:59";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("yardmaster.promotion.freeze-windows.staging", WINDOW, "yardmaster.rolls.runner", "false");
    }
}
