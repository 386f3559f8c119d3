package dev.yardmaster.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A connection as the schema owner Flyway migrates with: what an attacker with the owner's
 * password (or a DBA) can do that the console's own runtime role cannot.
 */
public final class SchemaOwner {

    private SchemaOwner() {
    }

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.flyway.username", String.class),
                config.getValue("quarkus.flyway.password", String.class));
    }
}
