package dev.yardmaster.testing;

/**
 * Fixed ports of the test fleets and sshds, shifted by {@code -Dyardmaster.test.port-offset=N} so
 * that several checkouts can run their suites on one machine at once without colliding.
 */
public final class TestPorts {
    private static final int OFFSET = Integer.getInteger("yardmaster.test.port-offset", 0);

    private TestPorts() {}

    /** The port {@code base}, moved by the run's offset. */
    public static int of(int base) {
        return base + OFFSET;
    }
}
