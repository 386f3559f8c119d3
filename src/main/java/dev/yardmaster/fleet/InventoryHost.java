package dev.yardmaster.fleet;

import java.util.List;

/**
 * A host as a roll sees it, whatever inventory it came from. {@code sourceId} is what the
 * source needs to check the host again at its turn (static: the host id; EC2: the instance id).
 */
public record InventoryHost(String source, String sourceId, String name, String address, int port,
        String environment, String nodeType, List<String> tags, List<String> packages, List<String> services) {

    public static InventoryHost of(Host host) {
        return new InventoryHost("static", String.valueOf(host.id), host.name, host.address, host.port,
                host.environment, host.nodeType, host.tagList(), host.packageList(), host.serviceList());
    }

    /** The service to restart for a package: the one of the same name, else the first listed. */
    public String serviceFor(String packageName) {
        if (services.contains(packageName) || services.isEmpty()) {
            return packageName;
        }
        return services.get(0);
    }
}
