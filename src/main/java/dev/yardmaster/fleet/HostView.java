package dev.yardmaster.fleet;

import java.util.List;

/** A static host as the API, the import diff and the audit log show it. */
public record HostView(Long id, String name, String address, int port, String environment, String nodeType,
        List<String> tags, List<String> packages, List<String> services, String source) {

    public static HostView of(Host h) {
        return new HostView(h.id, h.name, h.address, h.port, h.environment, h.nodeType, h.tagList(), h.packageList(),
                h.serviceList(), h.source);
    }

    public String packagesText() {
        return String.join(" ", packages);
    }

    public String servicesText() {
        return String.join(" ", services);
    }

    /** The same host without its id: what an audit record's before/after and the diff compare. */
    java.util.Map<String, Object> fields() {
        var map = new java.util.LinkedHashMap<String, Object>();
        map.put("name", name);
        map.put("address", address + ":" + port);
        map.put("environment", environment);
        map.put("nodeType", nodeType);
        map.put("tags", tags);
        map.put("packages", packages);
        map.put("services", services);
        return map;
    }
}
