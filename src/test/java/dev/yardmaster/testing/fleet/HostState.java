package dev.yardmaster.testing.fleet;

import java.util.List;
import java.util.Map;

/** What a fleet host reports about itself right now (bin/fleet state HOST --json). */
public record HostState(String address, String environment, String nodeType,
        Map<String, String> installed, Map<String, Service> services, List<String> faults) {

    /** One service's state on the host. */
    public record Service(String state, boolean active, int restarts, Long lastRestartMillis) {
    }

    /** Installed version as VERSION-RELEASE (EPOCH: first when set), or null when absent. */
    public String installedVersion(String pkg) {
        return installed.get(pkg);
    }

    public int restarts(String service) {
        Service s = services.get(service);
        return s == null ? 0 : s.restarts();
    }

    public boolean active(String service) {
        Service s = services.get(service);
        return s != null && s.active();
    }
}
