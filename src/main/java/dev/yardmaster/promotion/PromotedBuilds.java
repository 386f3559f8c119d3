package dev.yardmaster.promotion;

import dev.yardmaster.build.Evr;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What a roll installs by default: the build live in the environment. The environment's repo
 * holds exactly that build of the package, so it is also the newest one there and a plain
 * {@code yum update} reaches it; any other EVR needs an explicit install.
 *
 * <p>One plain JDBC read, no entities: a running roll asks this every few seconds on the cores
 * the fleet's sshd also needs, and loading the promotion with its eager build and environment
 * through Hibernate and a JTA transaction was 9 % of the JVM's samples in a 200-host roll
 * (bench/rolls.sh). At most one row: promotion_live is unique. Inside a caller's transaction the pool enlists the connection in it.
 */
@ApplicationScoped
public class PromotedBuilds implements TargetBuilds {

    private static final String LIVE = """
            SELECT b.epoch, b.version, b.release
              FROM promotion p
              JOIN environment e ON e.id = p.environment_id
              JOIN build b ON b.id = p.build_id
             WHERE e.name = ? AND p.package = ? AND p.state = 'applied'""";

    private final AgroalDataSource dataSource;

    PromotedBuilds(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<String> promoted(String environment, String packageName) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement s = connection.prepareStatement(LIVE)) {
            s.setString(1, environment);
            s.setString(2, packageName);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                // [epoch:]version-release as Build.evr() writes it (a NULL epoch reads as 0).
                return Optional.of(new Evr(row.getInt(1), row.getString(2), row.getString(3)).toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the build promoted to " + environment + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isNewest(String environment, String packageName, String evr) {
        return promoted(environment, packageName).map(evr::equals).orElse(false);
    }
}
