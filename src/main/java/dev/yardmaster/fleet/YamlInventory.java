package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads Yardmaster's own YAML inventory ({@code bin/fleet}'s {@code inventory.yaml}):
 * {@code hosts: [{name, address, port, environment, node_type, tags, packages, services}]}, or
 * the list alone. Top-level keys other than {@code hosts} and {@code port} (the default port)
 * are the fleet's connection notes and are not read.
 */
final class YamlInventory {

    private static final Set<String> FIELDS = Set.of("name", "address", "port", "environment", "node_type", "tags", "packages",
            "services");

    private YamlInventory() {
    }

    static List<ParsedHost> parse(String text) {
        Node root = YamlNodes.read(text);
        if (YamlNodes.isNull(root)) {
            throw InventoryFormat.bad("The inventory is empty.");
        }
        Node hosts;
        Integer defaultPort = null;
        if (root instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            hosts = root;
        } else {
            Map<String, Node> top = YamlNodes.mapping(root, "the inventory");
            hosts = top.get("hosts");
            if (hosts == null) {
                throw InventoryFormat.badLine(YamlNodes.line(root),
                        "the YAML needs a list 'hosts:' of {address, port, environment, node_type, packages, services}.");
            }
            if (top.containsKey("port")) {
                defaultPort = port(top.get("port"));
            }
        }
        List<ParsedHost> parsed = new ArrayList<>();
        for (Node item : YamlNodes.sequence(hosts, "hosts")) {
            Map<String, Node> h = YamlNodes.mapping(item, "a host");
            for (Map.Entry<String, Node> field : h.entrySet()) {
                if (!FIELDS.contains(field.getKey())) {
                    throw InventoryFormat.badLine(YamlNodes.line(field.getValue()), "unknown field '"
                            + Names.printable(field.getKey()) + "'; a host has " + String.join(", ", FIELDS.stream().sorted().toList()) + ".");
                }
            }
            Integer port = h.containsKey("port") ? port(h.get("port")) : defaultPort;
            parsed.add(ParsedHost.of(YamlNodes.line(item), new Inventory.HostInput(YamlNodes.text(h.get("name"), "name"),
                    YamlNodes.text(h.get("address"), "address"), port, YamlNodes.text(h.get("environment"), "environment"),
                    YamlNodes.text(h.get("node_type"), "node_type"), YamlNodes.names(h.get("tags"), "tags"),
                    YamlNodes.names(h.get("packages"), "packages"), YamlNodes.names(h.get("services"), "services"))));
        }
        return parsed;
    }

    private static Integer port(Node node) {
        String text = YamlNodes.text(node, "port");
        if (text == null || !text.strip().matches("[0-9]{1,5}")) {
            throw InventoryFormat.badLine(YamlNodes.line(node), "port '" + Names.printable(text) + "' is not a number.");
        }
        return Integer.valueOf(text.strip());
    }
}
