package dev.yardmaster.fleet;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

/** The static inventory. */
@ConfigMapping(prefix = "yardmaster.inventory")
public interface InventoryConfig {

    /**
     * A CSV ({@code address,port,environment,node_type,packages,services}, lists space-separated)
     * or YAML ({@code hosts: [{address, port, environment, node_type, packages: [..], services: [..]}]})
     * file, or an Ansible inventory (INI or YAML), imported at start when the inventory is empty.
     */
    Optional<String> importFile();

    /** How the groups and variables of an Ansible inventory become environments and node types. */
    Ansible ansible();

    /** The Ansible mapping; a host's own {@code yardmaster_environment} / {@code yardmaster_node_type} variables win. */
    interface Ansible {

        /**
         * Groups whose hosts belong to an environment, group → environment, for inventories whose
         * groups already encode it: {@code yardmaster.inventory.ansible.environment-groups.production=prod}.
         */
        Map<String, String> environmentGroups();

        /**
         * Groups whose hosts have a node type, group → node type:
         * {@code yardmaster.inventory.ansible.node-type-groups.webservers=web}.
         */
        Map<String, String> nodeTypeGroups();

        /** A group named like a configured environment ({@code [prod]}) puts its hosts in that environment. */
        @WithDefault("true")
        boolean groupsNamedLikeEnvironments();
    }
}
