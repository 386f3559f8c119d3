package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An Ansible inventory as its INI or YAML form describes it — groups with hosts, variables and
 * child groups — and how its hosts become Yardmaster hosts. Variables merge as Ansible merges
 * them: {@code all}, then groups from the outermost to the innermost (same depth: by name),
 * then the host's own.
 *
 * <p>Mapping: {@code yardmaster_environment}, {@code yardmaster_node_type},
 * {@code yardmaster_packages}, {@code yardmaster_services}, {@code yardmaster_tags},
 * {@code ansible_host} (the address; default: the inventory name) and {@code ansible_port}.
 * Without {@code yardmaster_environment} the environment comes from the host's groups
 * ({@link InventoryConfig.Ansible}); likewise the node type.
 */
final class AnsibleInventory {

    static final String ALL = "all";
    static final String UNGROUPED = "ungrouped";

    /** A variable value Yardmaster does not read (a mapping): refused only when a yardmaster_ variable holds it. */
    record Unsupported(String what) {
    }

    static final class Group {
        final String name;
        final int line;
        final Map<String, Object> vars = new LinkedHashMap<>();
        /** Child group → the line that made it a child. */
        final Map<String, Integer> children = new LinkedHashMap<>();
        final Set<String> hosts = new LinkedHashSet<>();

        Group(String name, int line) {
            this.name = name;
            this.line = line;
        }
    }

    static final class HostEntry {
        final String name;
        final int line;
        final Map<String, Object> vars = new LinkedHashMap<>();

        HostEntry(String name, int line) {
            this.name = name;
            this.line = line;
        }
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, HostEntry> hosts = new LinkedHashMap<>();

    AnsibleInventory() {
        group(ALL, 0);
        group(UNGROUPED, 0);
        groups.get(ALL).children.put(UNGROUPED, 0);
    }

    Group group(String name, int line) {
        return groups.computeIfAbsent(name, n -> new Group(n, line));
    }

    /** Adds a host (every name of a range) to a group; the same host in several groups is one host. */
    List<HostEntry> addHosts(Group group, String pattern, int line, Map<String, Object> vars) {
        List<String> names;
        try {
            names = HostRanges.expand(pattern);
        } catch (IllegalArgumentException e) {
            throw InventoryFormat.badLine(line, e.getMessage() + ".");
        }
        if (hosts.size() + names.size() > HostRanges.MAX_HOSTS) {
            throw InventoryFormat.badLine(line, "the inventory names more than " + HostRanges.MAX_HOSTS + " hosts.");
        }
        List<HostEntry> added = new ArrayList<>();
        for (String name : names) {
            HostEntry host = hosts.computeIfAbsent(name, n -> new HostEntry(n, line));
            host.vars.putAll(vars);
            group.hosts.add(name);
            added.add(host);
        }
        return added;
    }

    /** The hosts as Yardmaster reads them, in the order the file first names them. */
    List<ParsedHost> resolve(InventoryConfig.Ansible mapping, Set<String> environments) {
        Map<String, Integer> depth = depths();
        Map<String, Set<String>> parents = parents();
        List<ParsedHost> parsed = new ArrayList<>();
        for (HostEntry host : hosts.values()) {
            List<String> memberOf = groupsOf(host.name, parents, depth);
            Map<String, Object> vars = new HashMap<>();
            for (String g : memberOf) {
                vars.putAll(groups.get(g).vars);
            }
            vars.putAll(host.vars);
            parsed.add(toHost(host, memberOf, vars, mapping, environments));
        }
        return parsed;
    }

    private ParsedHost toHost(HostEntry host, List<String> memberOf, Map<String, Object> vars,
            InventoryConfig.Ansible mapping, Set<String> environments) {
        for (var entry : vars.entrySet()) {
            if ((entry.getKey().startsWith("yardmaster_") || entry.getKey().startsWith("ansible_"))
                    && entry.getValue() instanceof Unsupported u) {
                return refused(host, vars, entry.getKey() + " is " + u.what() + "; Yardmaster reads text or a list there.");
            }
        }
        String environment = scalar(vars.get("yardmaster_environment"));
        if (environment == null) {
            Set<String> fromGroups = new TreeSet<>();
            for (String g : memberOf) {
                String mapped = mapping.environmentGroups().get(g);
                if (mapped != null) {
                    fromGroups.add(mapped);
                } else if (mapping.groupsNamedLikeEnvironments() && environments.contains(g)) {
                    fromGroups.add(g);
                }
            }
            if (fromGroups.size() > 1) {
                return refused(host, vars, "its groups put it in several environments (" + String.join(", ", fromGroups)
                        + "); set yardmaster_environment.");
            }
            if (fromGroups.isEmpty()) {
                return refused(host, vars, "no environment: set yardmaster_environment, put it in a group named like one ("
                        + String.join(", ", environments) + ") or map a group with yardmaster.inventory.ansible.environment-groups.");
            }
            environment = fromGroups.iterator().next();
        }
        String nodeType = scalar(vars.get("yardmaster_node_type"));
        if (nodeType == null) {
            Set<String> fromGroups = new TreeSet<>();
            for (String g : memberOf) {
                String mapped = mapping.nodeTypeGroups().get(g);
                if (mapped != null) {
                    fromGroups.add(mapped);
                }
            }
            if (fromGroups.size() > 1) {
                return refused(host, vars, environment, "its groups give it several node types ("
                        + String.join(", ", fromGroups) + "); set yardmaster_node_type.");
            }
            if (fromGroups.isEmpty()) {
                return refused(host, vars, environment, "no node type: set yardmaster_node_type or map a group with "
                        + "yardmaster.inventory.ansible.node-type-groups.");
            }
            nodeType = fromGroups.iterator().next();
        }
        String port = scalar(vars.get("ansible_port"));
        if (port != null && !port.matches("[0-9]{1,5}")) {
            return refused(host, vars, environment, "ansible_port '" + Names.printable(port) + "' is not a number.");
        }
        return ParsedHost.of(host.line, new Inventory.HostInput(host.name, address(host, vars),
                port == null ? null : Integer.valueOf(port), environment, nodeType, list(vars.get("yardmaster_tags")),
                list(vars.get("yardmaster_packages")), list(vars.get("yardmaster_services"))));
    }

    private static ParsedHost refused(HostEntry host, Map<String, Object> vars, String reason) {
        return refused(host, vars, scalar(vars.get("yardmaster_environment")), reason);
    }

    private static ParsedHost refused(HostEntry host, Map<String, Object> vars, String environment, String reason) {
        return new ParsedHost(host.line, new Inventory.HostInput(host.name, address(host, vars), null, environment, null,
                List.of(), List.of(), List.of()), reason);
    }

    private static String address(HostEntry host, Map<String, Object> vars) {
        String address = scalar(vars.get("ansible_host"));
        return address == null ? host.name : address;
    }

    /** Groups a host is in, directly or through children, with {@code all}: outermost first, then by name. */
    private List<String> groupsOf(String host, Map<String, Set<String>> parents, Map<String, Integer> depth) {
        Set<String> found = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.hosts.contains(host)) {
                todo.add(g.name);
            }
        }
        if (todo.isEmpty()) {
            todo.add(UNGROUPED);
        }
        while (!todo.isEmpty()) {
            String g = todo.remove(todo.size() - 1);
            if (found.add(g)) {
                todo.addAll(parents.getOrDefault(g, Set.of()));
            }
        }
        found.add(ALL);
        List<String> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.<String>comparingInt(g -> depth.getOrDefault(g, 1)).thenComparing(g -> g));
        return ordered;
    }

    private Map<String, Set<String>> parents() {
        Map<String, Set<String>> parents = new HashMap<>();
        for (Group g : groups.values()) {
            for (String child : g.children.keySet()) {
                parents.computeIfAbsent(child, c -> new LinkedHashSet<>()).add(g.name);
            }
        }
        for (Group g : groups.values()) {
            if (!g.name.equals(ALL) && !parents.containsKey(g.name)) {
                parents.computeIfAbsent(g.name, c -> new LinkedHashSet<>()).add(ALL);
            }
        }
        return parents;
    }

    /**
     * Each group's distance from {@code all} (the longest path, as Ansible orders variables);
     * a group that is its own ancestor is a 400 naming the line that closed the circle.
     */
    private Map<String, Integer> depths() {
        Map<String, Integer> depth = new HashMap<>();
        Map<String, Set<String>> parents = parents();
        for (String g : groups.keySet()) {
            depthOf(g, parents, depth, new LinkedHashSet<>());
        }
        return depth;
    }

    private int depthOf(String group, Map<String, Set<String>> parents, Map<String, Integer> depth, Set<String> path) {
        Integer known = depth.get(group);
        if (known != null) {
            return known;
        }
        if (!path.add(group)) {
            // The circle's last edge in the file is the line that closed it.
            List<String> circle = new ArrayList<>(path);
            circle = new ArrayList<>(circle.subList(circle.indexOf(group), circle.size()));
            circle.add(group);
            int line = 0;
            for (int i = 0; i + 1 < circle.size(); i++) {
                line = Math.max(line, groups.get(circle.get(i + 1)).children.getOrDefault(circle.get(i), 0));
            }
            throw InventoryFormat.badLine(line, "the groups " + String.join(" → ", circle) + " are children of each other.");
        }
        int d = 0;
        if (!group.equals(ALL)) {
            for (String parent : parents.getOrDefault(group, Set.of())) {
                d = Math.max(d, depthOf(parent, parents, depth, path) + 1);
            }
        }
        path.remove(group);
        depth.put(group, d);
        return d;
    }

    /** A variable as one value: text as written, a one-item list as its item. */
    static String scalar(Object value) {
        if (value instanceof List<?> list) {
            return list.size() == 1 && list.get(0) != null ? list.get(0).toString().strip() : null;
        }
        if (value == null || value instanceof Unsupported) {
            return null;
        }
        String text = unquote(value.toString().strip());
        return text.isEmpty() ? null : text;
    }

    /**
     * A variable as a list of names: a YAML list, a Python-style list as INI writes it
     * ({@code ['flingerator', 'gnip-worker']}), or names separated by commas or spaces.
     */
    static List<String> list(Object value) {
        if (value == null || value instanceof Unsupported) {
            return List.of();
        }
        if (value instanceof List<?> items) {
            return items.stream().filter(i -> i != null).map(i -> unquote(i.toString().strip())).toList();
        }
        String text = value.toString().strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        List<String> names = new ArrayList<>();
        for (String item : text.split("[,\\s]+")) {
            String name = unquote(item.strip());
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    static String unquote(String text) {
        if (text.length() >= 2 && (text.startsWith("\"") && text.endsWith("\"") || text.startsWith("'") && text.endsWith("'"))) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }
}
