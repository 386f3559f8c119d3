package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Ansible INI inventory line by line: {@code [group]} sections of hosts (with inline
 * {@code key=value} variables, ranges and {@code host:port}), {@code [group:vars]} and
 * {@code [group:children]}; hosts before any section are ungrouped. Every refusal names the
 * line.
 */
final class AnsibleIni {

    private enum Kind { HOSTS, VARS, CHILDREN }

    private record Section(AnsibleInventory.Group group, Kind kind) {
    }

    private static final Pattern SECTION = Pattern.compile("\\[([^\\]:]+)(?::([^\\]]*))?\\]");
    static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    /** {@code host:2222}, the port after the last colon outside a range's brackets. */
    private static final Pattern HOST_PORT = Pattern.compile("(.*[^:\\]\\[]|.*\\]):([0-9]{1,5})");

    private AnsibleIni() {
    }

    static AnsibleInventory parse(String text) {
        AnsibleInventory inventory = new AnsibleInventory();
        Section section = new Section(inventory.group(AnsibleInventory.UNGROUPED, 0), Kind.HOSTS);
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = sectionHeader(inventory, line, number);
                continue;
            }
            switch (section.kind()) {
                case HOSTS -> hostLine(inventory, section.group(), line, number);
                case VARS -> varLine(section.group(), line, number);
                case CHILDREN -> childLine(inventory, section.group(), line, number);
            }
        }
        return inventory;
    }

    /** {@code [web]}, {@code [web:vars]}, {@code [prod:children]}. */
    private static Section sectionHeader(AnsibleInventory inventory, String line, int number) {
        Matcher m = SECTION.matcher(stripComment(line));
        if (!m.matches()) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(line) + "' is not a section header like [web], "
                    + "[web:vars] or [prod:children].");
        }
        String name = m.group(1).strip();
        if (!GROUP.matcher(name).matches()) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(name)
                    + "' is not a group name (letters, digits, _ . -).");
        }
        String suffix = m.group(2);
        Kind kind = suffix == null ? Kind.HOSTS : switch (suffix.strip()) {
            case "vars" -> Kind.VARS;
            case "children" -> Kind.CHILDREN;
            default -> throw InventoryFormat.badLine(number, "[" + Names.printable(name + ":" + suffix)
                    + "]: a section is [group], [group:vars] or [group:children].");
        };
        return new Section(inventory.group(name, number), kind);
    }

    /** {@code web-[01:20].example.com ansible_port=2222 yardmaster_packages="['a','b']"}. */
    private static void hostLine(AnsibleInventory inventory, AnsibleInventory.Group group, String line, int number) {
        List<String> tokens = tokens(line, number);
        String pattern = tokens.get(0);
        Map<String, Object> vars = new LinkedHashMap<>();
        Matcher hostPort = HOST_PORT.matcher(pattern);
        if (hostPort.matches()) {
            pattern = hostPort.group(1);
            vars.put("ansible_port", hostPort.group(2));
        }
        if (pattern.contains("=")) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(pattern) + "' is a variable where a host name was expected"
                    + " (variables of a group go under [" + group.name + ":vars]).");
        }
        for (String token : tokens.subList(1, tokens.size())) {
            Map.Entry<String, String> variable = variable(token, number);
            vars.put(variable.getKey(), variable.getValue());
        }
        inventory.addHosts(group, pattern, number, vars);
    }

    /** {@code yardmaster_environment=prod} (spaces around {@code =} allowed). */
    private static void varLine(AnsibleInventory.Group group, String line, int number) {
        String text = stripComment(line);
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(line) + "' is not a variable (name=value) of ["
                    + group.name + ":vars].");
        }
        Map.Entry<String, String> variable = variable(text.substring(0, eq).strip() + "=" + text.substring(eq + 1).strip(), number);
        group.vars.put(variable.getKey(), variable.getValue());
    }

    /** A child group's name under {@code [parent:children]}. */
    private static void childLine(AnsibleInventory inventory, AnsibleInventory.Group group, String line, int number) {
        String name = stripComment(line);
        if (!GROUP.matcher(name).matches()) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(name) + "' is not a group name under ["
                    + group.name + ":children].");
        }
        if (name.equals(AnsibleInventory.ALL)) {
            throw InventoryFormat.badLine(number, "'all' cannot be a child group.");
        }
        inventory.group(name, number);
        group.children.putIfAbsent(name, number);
    }

    private static Map.Entry<String, String> variable(String token, int number) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(token) + "' is not a variable (name=value).");
        }
        String name = token.substring(0, eq);
        if (!VARIABLE.matcher(name).matches()) {
            throw InventoryFormat.badLine(number, "'" + Names.printable(name) + "' is not a variable name.");
        }
        return Map.entry(name, AnsibleInventory.unquote(token.substring(eq + 1)));
    }

    /** Splits on spaces outside quotes, as Ansible's shlex does; a token starting with # starts a comment. */
    static List<String> tokens(String line, int number) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        boolean inToken = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                current.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                current.append(c);
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    tokens.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else if (c == '#' && !inToken) {
                break;
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quote != 0) {
            throw InventoryFormat.badLine(number, "a quote (" + quote + ") is not closed.");
        }
        if (inToken) {
            tokens.add(current.toString());
        }
        if (tokens.isEmpty()) {
            throw InventoryFormat.badLine(number, "a host name was expected.");
        }
        return tokens;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf(" #");
        int semi = line.indexOf(" ;");
        int cut = hash < 0 ? semi : semi < 0 ? hash : Math.min(hash, semi);
        return (cut < 0 ? line : line.substring(0, cut)).strip();
    }
}
