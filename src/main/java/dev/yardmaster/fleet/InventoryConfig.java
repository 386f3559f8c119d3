package dev.yardmaster.fleet;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The static inventory. */
@ConfigMapping(prefix = "yardmaster.inventory")
public interface InventoryConfig {

    /**
     * A CSV ({@code address,port,environment,node_type,packages,services}, lists space-separated)
     * or YAML ({@code hosts: [{address, port, environment, node_type, packages: [..], services: [..]}]})
     * file imported at start when the inventory is empty.
     */
    Optional<String> importFile();
}
