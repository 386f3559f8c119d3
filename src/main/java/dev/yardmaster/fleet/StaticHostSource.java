package dev.yardmaster.fleet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** The hosts typed in on the fleet page or imported from CSV/YAML. */
@ApplicationScoped
public class StaticHostSource implements HostSource {

    @Override
    public String name() {
        return "static";
    }

    @Override
    @Transactional
    public List<InventoryHost> hosts(String environment, String packageName) {
        return Host.in(environment).stream().filter(h -> h.packageList().contains(packageName))
                .map(InventoryHost::of).toList();
    }

    @Override
    @Transactional
    public Presence atTurn(InventoryHost host) {
        Host current = Host.findById(Long.valueOf(host.sourceId()));
        if (current == null) {
            return Presence.gone("removed from the inventory");
        }
        if (!current.environment.equals(host.environment())) {
            return Presence.gone("moved to " + current.environment);
        }
        return Presence.PRESENT;
    }
}
