package dev.yardmaster.fleet;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The version of a package a host was last seen running, as {@code rpm -q} on the host said:
 * recorded by rolls (check and verify steps) and by drift checks. Not what the inventory
 * claims, and not what a roll intended.
 */
@Entity
@Table(name = "host_package")
public class HostPackage extends PanacheEntityBase {

    public enum Source { roll, check }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "host_name")
    public String hostName;

    public String environment;

    @Column(name = "package_name")
    public String packageName;

    /** Null: not installed (when {@link #error} is null too). */
    @Column(name = "installed_evr")
    public String installedEvr;

    @Column(name = "checked_at")
    public OffsetDateTime checkedAt;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Source source;

    @Column(name = "roll_id")
    public Long rollId;

    public String error;

    public static List<HostPackage> in(String environment, String packageName) {
        return list("environment = ?1 and packageName = ?2", environment, packageName);
    }

    /** Packages ever seen on the hosts of an environment. */
    public static List<String> packagesIn(String environment) {
        return getEntityManager().createQuery(
                "select distinct packageName from HostPackage where environment = ?1 order by packageName", String.class)
                .setParameter(1, environment).getResultList();
    }

    /** Records what rpm -q said (in the caller's transaction): {@code evr} null = not installed. */
    public static void seen(String hostName, String environment, String packageName, String evr, Source source, Long rollId) {
        getEntityManager().createNativeQuery("""
                insert into host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, null)
                on conflict (host_name, package_name) do update set environment = excluded.environment,
                    installed_evr = excluded.installed_evr, checked_at = excluded.checked_at, source = excluded.source,
                    roll_id = excluded.roll_id, error = null""")
                .setParameter(1, hostName).setParameter(2, environment).setParameter(3, packageName).setParameter(4, evr)
                .setParameter(5, OffsetDateTime.now(ZoneOffset.UTC)).setParameter(6, source.name()).setParameter(7, rollId)
                .executeUpdate();
    }

    /** Records that a check could not read the version; the last known version stays. */
    public static void unreadable(String hostName, String environment, String packageName, String error) {
        String why = error == null ? "no answer" : error.length() > 500 ? error.substring(0, 500) : error;
        getEntityManager().createNativeQuery("""
                insert into host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                values (?1, ?2, ?3, null, ?4, 'check', null, ?5)
                on conflict (host_name, package_name) do update set environment = excluded.environment,
                    checked_at = excluded.checked_at, source = 'check', error = excluded.error""")
                .setParameter(1, hostName).setParameter(2, environment).setParameter(3, packageName)
                .setParameter(4, OffsetDateTime.now(ZoneOffset.UTC)).setParameter(5, why).executeUpdate();
    }

    /** What each host was last seen running (or why it could not be asked), by host name, packages in name order. */
    public static java.util.Map<String, List<HostPackage>> byHost() {
        java.util.Map<String, List<HostPackage>> byHost = new java.util.HashMap<>();
        for (HostPackage p : HostPackage.<HostPackage>list("order by hostName, packageName")) {
            byHost.computeIfAbsent(p.hostName, h -> new java.util.ArrayList<>()).add(p);
        }
        return byHost;
    }

    /**
     * Records what a check's {@code rpm -q} said at {@code answeredAt}, unless something newer is
     * already recorded: a start-up check that asked a host before a roll updated it must not
     * overwrite what the roll saw afterwards.
     */
    public static void seenAt(String hostName, String environment, String packageName, String evr, OffsetDateTime answeredAt) {
        getEntityManager().createNativeQuery("""
                insert into host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                values (?1, ?2, ?3, ?4, ?5, 'check', null, null)
                on conflict (host_name, package_name) do update set environment = excluded.environment,
                    installed_evr = excluded.installed_evr, checked_at = excluded.checked_at, source = 'check',
                    roll_id = null, error = null
                where host_package.checked_at <= excluded.checked_at""")
                .setParameter(1, hostName).setParameter(2, environment).setParameter(3, packageName).setParameter(4, evr)
                .setParameter(5, answeredAt).executeUpdate();
    }

    /** Records why a check at {@code answeredAt} could not read the version, unless something newer is recorded. */
    public static void unreadableAt(String hostName, String environment, String packageName, String error,
            OffsetDateTime answeredAt) {
        String why = error == null ? "no answer" : error.length() > 500 ? error.substring(0, 500) : error;
        getEntityManager().createNativeQuery("""
                insert into host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                values (?1, ?2, ?3, null, ?4, 'check', null, ?5)
                on conflict (host_name, package_name) do update set environment = excluded.environment,
                    checked_at = excluded.checked_at, source = 'check', error = excluded.error
                where host_package.checked_at <= excluded.checked_at""")
                .setParameter(1, hostName).setParameter(2, environment).setParameter(3, packageName)
                .setParameter(4, answeredAt).setParameter(5, why).executeUpdate();
    }
}
