package dev.yardmaster.testing.fleet;

import java.util.List;

/** One host of the loopback fleet, as listed in its inventory.csv. */
public record FleetHost(String address, int port, String environment, String nodeType,
        List<String> packages, List<String> services) {

    /** The one package (= service) this host's node type runs. */
    public String pkg() {
        return packages.getFirst();
    }
}
