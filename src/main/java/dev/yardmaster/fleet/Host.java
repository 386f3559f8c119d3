package dev.yardmaster.fleet;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A server of the static inventory: where to reach it, its environment and what it runs. */
@Entity
public class Host extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;
    public String address;
    public int port;
    public String environment;

    @Column(name = "node_type")
    public String nodeType;

    /** Space-separated. */
    public String tags = "";
    /** Space-separated. */
    public String packages = "";
    /** Space-separated. */
    public String services = "";

    public String source = "static";

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public static List<Host> inOrder() {
        return list("order by environment, nodeType, name");
    }

    public static List<Host> in(String environment) {
        return list("environment = ?1 order by nodeType, name", environment);
    }

    /** One page of {@link #inOrder()} (environment null or blank) or {@link #in(String)}, for the fleet page. */
    public static List<Host> page(String environment, int page, int size) {
        return (environment == null || environment.isBlank() ? find("order by environment, nodeType, name")
                : find("environment = ?1 order by nodeType, name", environment)).page(page, size).list();
    }

    public static Optional<Host> named(String name) {
        return find("name", name).firstResultOptional();
    }

    public static Optional<Host> at(String address, int port) {
        return find("address = ?1 and port = ?2", address, port).firstResultOptional();
    }

    public List<String> tagList() {
        return split(tags);
    }

    public List<String> packageList() {
        return split(packages);
    }

    public List<String> serviceList() {
        return split(services);
    }

    static List<String> split(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.trim().split(" +"));
    }
}
