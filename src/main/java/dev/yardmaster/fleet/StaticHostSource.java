package dev.yardmaster.fleet;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The hosts typed in on the fleet page or imported from CSV/YAML. */
@ApplicationScoped
public class StaticHostSource implements HostSource {

    private final AgroalDataSource dataSource;

    StaticHostSource(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

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

    /**
     * Asked before each host of a roll starts, hundreds of times a roll: one column in plain
     * JDBC rather than an entity load in a transaction of its own.
     */
    @Override
    public Presence atTurn(InventoryHost host) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement s = connection.prepareStatement("SELECT environment FROM host WHERE id = ?")) {
            s.setLong(1, Long.parseLong(host.sourceId()));
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return Presence.gone("removed from the inventory");
                }
                String environment = row.getString(1);
                if (!environment.equals(host.environment())) {
                    return Presence.gone("moved to " + environment);
                }
                return Presence.PRESENT;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not look " + host.name() + " up in the inventory: " + e.getMessage(), e);
        }
    }
}
