package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an Ansible YAML inventory: top-level groups (usually just {@code all}), each a mapping
 * of {@code hosts} (name → variables), {@code vars} and {@code children} (name → group), nested
 * as deep as the file goes. Every refusal names the line.
 */
final class AnsibleYaml {

    private static final Set<String> GROUP_KEYS = Set.of("hosts", "vars", "children");

    private AnsibleYaml() {
    }

    static AnsibleInventory parse(String text) {
        Node root = YamlNodes.read(text);
        if (YamlNodes.isNull(root)) {
            throw InventoryFormat.bad("The inventory is empty.");
        }
        AnsibleInventory inventory = new AnsibleInventory();
        for (Map.Entry<String, Node> top : YamlNodes.mapping(root, "an Ansible inventory").entrySet()) {
            group(inventory, top.getKey(), top.getValue());
        }
        return inventory;
    }

    private static AnsibleInventory.Group group(AnsibleInventory inventory, String name, Node node) {
        int line = YamlNodes.line(node);
        if (!AnsibleIni.GROUP.matcher(name).matches()) {
            throw InventoryFormat.badLine(line, "'" + Names.printable(name) + "' is not a group name (letters, digits, _ . -).");
        }
        AnsibleInventory.Group group = inventory.group(name, line);
        Map<String, Node> body = YamlNodes.mapping(node, "group " + name);
        for (Map.Entry<String, Node> entry : body.entrySet()) {
            if (!GROUP_KEYS.contains(entry.getKey())) {
                throw InventoryFormat.badLine(YamlNodes.line(entry.getValue()), "group " + name + " has '"
                        + Names.printable(entry.getKey()) + "'; a group has hosts, vars and children.");
            }
        }
        group.vars.putAll(variables(body.get("vars"), "vars of " + name));
        for (Map.Entry<String, Node> host : YamlNodes.mapping(body.get("hosts"), "hosts of " + name).entrySet()) {
            inventory.addHosts(group, host.getKey(), line(body.get("hosts"), host.getKey()),
                    variables(host.getValue(), "host " + host.getKey()));
        }
        for (Map.Entry<String, Node> child : YamlNodes.mapping(body.get("children"), "children of " + name).entrySet()) {
            if (child.getKey().equals(AnsibleInventory.ALL)) {
                throw InventoryFormat.badLine(YamlNodes.line(child.getValue()), "'all' cannot be a child group.");
            }
            AnsibleInventory.Group nested = group(inventory, child.getKey(), child.getValue());
            group.children.putIfAbsent(nested.name, YamlNodes.line(child.getValue()));
        }
        return group;
    }

    private static Map<String, Object> variables(Node node, String what) {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : YamlNodes.mapping(node, what).entrySet()) {
            vars.put(entry.getKey(), YamlNodes.value(entry.getValue(), entry.getKey()));
        }
        return vars;
    }

    /** The line a host's name is written on (its value may be empty, or start on the next line). */
    private static int line(Node hosts, String key) {
        if (hosts instanceof org.yaml.snakeyaml.nodes.MappingNode map) {
            for (var tuple : map.getValue()) {
                if (tuple.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k && k.getValue().equals(key)) {
                    return YamlNodes.line(k);
                }
            }
        }
        return YamlNodes.line(hosts);
    }
}
