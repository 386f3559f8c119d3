package dev.yardmaster.fleet;

import java.util.List;

/**
 * Where roll hosts come from: the static inventory, EC2 Auto Scaling, ... Implement it as an
 * {@code @ApplicationScoped} bean and {@link Inventory} picks it up. For EC2, wrap
 * {@code Ec2Inventory}: {@code hosts} from {@code Ec2Inventory.hosts(env)} (node type to package
 * by configuration), {@code atTurn} from {@code Ec2Inventory.atTurn(instanceId)}.
 */
public interface HostSource {

    /** Stable name stored with each roll host ({@code static}, {@code ec2}). */
    String name();

    /** The hosts of an environment that run the package. */
    List<InventoryHost> hosts(String environment, String packageName);

    /**
     * Asked when the host's turn comes in a roll: is it still there? A host that is gone
     * (terminated spot instance, removed from the inventory) is skipped with the reason given.
     */
    Presence atTurn(InventoryHost host);

    /** The answer of {@link #atTurn}. */
    record Presence(boolean present, String reason) {
        public static final Presence PRESENT = new Presence(true, null);

        public static Presence gone(String reason) {
            return new Presence(false, reason);
        }
    }
}
