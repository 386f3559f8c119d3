package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

/** The inventory file formats an import reads, by the name {@code ?format=} takes. */
public enum InventoryFormat {
    /** {@code address,port,environment,node_type,packages,services} (plus optional name, tags). */
    CSV("csv"),
    /** Yardmaster's own YAML: {@code hosts: [{address, port, environment, node_type, packages, services}]}. */
    YAML("yaml"),
    /** An Ansible INI inventory: {@code [group]}, {@code [group:vars]}, {@code [group:children]}. */
    ANSIBLE_INI("ansible-ini"),
    /** An Ansible YAML inventory: {@code all: {hosts, vars, children}}. */
    ANSIBLE_YAML("ansible-yaml");

    /** An INI section header alone on its line: {@code [web]}, {@code [prod:children]}. */
    private static final Pattern INI_SECTION = Pattern.compile("(?m)^\\s*\\[[A-Za-z0-9_.:-]+\\]\\s*$");
    private static final Pattern ANSIBLE_YAML_ROOT = Pattern.compile("(?m)^(all|[A-Za-z0-9_-]+):\\s*$\\s+(hosts|children|vars):");

    public final String id;

    InventoryFormat(String id) {
        this.id = id;
    }

    /** The format {@code ?format=} names; null or blank: guess it from the text. */
    static InventoryFormat of(String name, String text) {
        if (name == null || name.isBlank()) {
            return detect(text);
        }
        return Arrays.stream(values()).filter(f -> f.id.equals(name.strip())).findFirst().orElseThrow(() ->
                YardmasterException.badRequest("bad-format", "'" + Names.printable(name)
                        + "' is not an inventory format: csv, yaml, ansible-ini or ansible-yaml."));
    }

    static InventoryFormat detect(String text) {
        if (INI_SECTION.matcher(text).find()) {
            return ANSIBLE_INI;
        }
        if (ANSIBLE_YAML_ROOT.matcher(text).find()) {
            return ANSIBLE_YAML;
        }
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("hosts:") || trimmed.startsWith("#") || trimmed.startsWith("-") || trimmed.startsWith("---")
                || trimmed.startsWith("user:") || !trimmed.contains(",")) {
            return YAML;
        }
        return CSV;
    }

    /** A file that cannot be read: 400 naming the line. */
    static YardmasterException badLine(int line, String message) {
        return new YardmasterException(400, "bad-inventory", "Bad request", "Line " + line + ": " + message,
                Map.of("line", line));
    }

    static YardmasterException bad(String message) {
        return YardmasterException.badRequest("bad-inventory", message);
    }
}
