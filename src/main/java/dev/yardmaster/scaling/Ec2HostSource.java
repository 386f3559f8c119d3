package dev.yardmaster.scaling;

import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.fleet.HostSource;
import dev.yardmaster.fleet.InventoryHost;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Auto Scaling instances as a roll's host source: the InService instances of the environment's
 * groups whose node type runs the package. At its turn each instance is checked with AWS again;
 * one terminated in between (a spot interruption, a scale-in) is skipped with
 * "instance terminated", never failed.
 */
@ApplicationScoped
public class Ec2HostSource implements HostSource {

    private static final Logger LOG = Logger.getLogger(Ec2HostSource.class);

    private final Ec2Inventory inventory;
    private final ScalingConfig config;

    Ec2HostSource(Ec2Inventory inventory, ScalingConfig config) {
        this.inventory = inventory;
        this.config = config;
    }

    @Override
    public String name() {
        return "ec2";
    }

    @Override
    public List<InventoryHost> hosts(String environment, String packageName) {
        if (!config.enabled()) {
            return List.of();
        }
        return inventory.hosts(environment).stream()
                .filter(h -> packagesOf(h.nodeType()).contains(packageName))
                .map(h -> new InventoryHost(name(), h.instanceId(), h.instanceId(), h.address(), h.port(), h.environment(),
                        h.nodeType(), List.of(h.market(), h.group()), packagesOf(h.nodeType()), packagesOf(h.nodeType())))
                .toList();
    }

    @Override
    public Presence atTurn(InventoryHost host) {
        try {
            Ec2Inventory.TurnCheck check = inventory.atTurn(host.sourceId());
            return check.proceed() ? Presence.PRESENT : Presence.gone(check.skipReason());
        } catch (YardmasterException e) {
            // AWS could not say: try the host. If it is really gone, SSH reports it unreachable.
            LOG.warnf("Could not check instance %s with AWS before its turn: %s", host.sourceId(), e.getMessage());
            return Presence.PRESENT;
        }
    }

    List<String> packagesOf(String nodeType) {
        return config.nodeTypePackages().getOrDefault(nodeType, List.of(nodeType));
    }
}
