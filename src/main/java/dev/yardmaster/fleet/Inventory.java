package dev.yardmaster.fleet;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.Actor;
import dev.yardmaster.ssh.SshSessions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fleet: hosts per environment and node type from every {@link HostSource}, the static
 * inventory's edits (checked by {@link InventoryAuthority}, audited with before and after), and
 * the turn-time "is this host still there?" check. Imports are {@link InventoryImport}'s.
 */
@ApplicationScoped
public class Inventory {


    /** A host as typed or imported, before validation. */
    public record HostInput(String name, String address, Integer port, String environment, String nodeType,
            List<String> tags, List<String> packages, List<String> services) {
    }

    /** Fired (in the changing transaction) with the hosts added or changed, so they can be asked what they run. */
    public record HostsChanged(Set<String> names) {
    }

    private final Instance<HostSource> sources;
    private final AuditLog audit;
    private final SshSessions ssh;
    private final InventoryAuthority authority;
    private final Event<HostsChanged> changed;

    Inventory(Instance<HostSource> sources, AuditLog audit, SshSessions ssh, InventoryAuthority authority,
            Event<HostsChanged> changed) {
        this.sources = sources;
        this.audit = audit;
        this.ssh = ssh;
        this.authority = authority;
        this.changed = changed;
    }

    /** Hosts of an environment running a package, from every source, ordered by node type and name. */
    public List<InventoryHost> hosts(String environment, String packageName) {
        List<InventoryHost> all = new ArrayList<>();
        for (HostSource source : sources) {
            all.addAll(source.hosts(environment, packageName));
        }
        all.sort(Comparator.comparing(InventoryHost::nodeType).thenComparing(InventoryHost::name));
        return all;
    }

    /** Asks the host's source whether it is still there; an unknown source means it is gone. */
    public HostSource.Presence atTurn(InventoryHost host) {
        for (HostSource source : sources) {
            if (source.name().equals(host.source())) {
                return source.atTurn(host);
            }
        }
        return HostSource.Presence.gone("inventory source '" + host.source() + "' is not configured");
    }

    /** The console itself adds a host (tests, start-up): no role, lock or freeze check. */
    public Host add(Actor actor, HostInput input) {
        return add(Editor.console(actor), input);
    }

    /**
     * Adds a host: needs the role that may roll its environment, not while that environment is
     * locked or frozen. Audited with the host as added.
     */
    @Transactional
    public Host add(Editor editor, HostInput input) {
        Host host = new Host();
        apply(host, input, "");
        authority.check(editor, host.environment, "Adding " + host.name + " to " + host.environment);
        serialize();
        if (Host.named(host.name).isPresent()) {
            throw YardmasterException.conflict("host-exists", "A host named " + host.name + " already exists.");
        }
        if (Host.at(host.address, host.port).isPresent()) {
            throw YardmasterException.conflict("host-exists", "A host at " + host.address + ":" + host.port + " already exists.");
        }
        host.persist();
        audit.record(audit.entry(editor.actor(), "host.added").environment(host.environment).subject(host.name)
                .detail("address", host.address + ":" + host.port).detail("after", HostView.of(host).fields()));
        changed.fire(new HostsChanged(Set.of(host.name)));
        return host;
    }

    /**
     * Changes a host. Changing it needs the role that may roll its environment; moving it to
     * another needs that role on both sides; neither side may be locked or frozen. Audited with
     * before and after.
     */
    @Transactional
    public Host update(Editor editor, long id, HostInput input) {
        Host host = require(id);
        Host wanted = new Host();
        apply(wanted, input, "");
        HostView before = HostView.of(host);
        if (wanted.environment.equals(host.environment)) {
            authority.check(editor, host.environment, "Changing " + host.name + " in " + host.environment);
        } else {
            String what = "Moving " + host.name + " from " + host.environment + " to " + wanted.environment;
            authority.checkLeaving(editor, host.environment, what);
            authority.check(editor, wanted.environment, what);
        }
        serialize();
        Host.named(wanted.name).filter(other -> !other.id.equals(host.id)).ifPresent(other -> {
            throw YardmasterException.conflict("host-exists", "A host named " + wanted.name + " already exists.");
        });
        Host.at(wanted.address, wanted.port).filter(other -> !other.id.equals(host.id)).ifPresent(other -> {
            throw YardmasterException.conflict("host-exists", "A host at " + wanted.address + ":" + wanted.port
                    + " already exists (" + other.name + ").");
        });
        copy(wanted, host);
        HostView after = HostView.of(host);
        if (!before.fields().equals(after.fields())) {
            audit.record(audit.entry(editor.actor(), "host.changed").environment(host.environment).subject(before.name())
                    .detail("name", host.name).detail("address", host.address + ":" + host.port)
                    .detail("movedFrom", before.environment().equals(host.environment) ? null : before.environment())
                    .detail("before", before.fields()).detail("after", after.fields()));
            changed.fire(new HostsChanged(Set.of(host.name)));
        }
        return host;
    }

    /** Removes a host: needs the role that may roll its environment, not while locked or frozen. */
    @Transactional
    public void remove(Editor editor, long id) {
        Host host = require(id);
        authority.checkLeaving(editor, host.environment, "Removing " + host.name + " from " + host.environment);
        HostView before = HostView.of(host);
        host.delete();
        audit.record(audit.entry(editor.actor(), "host.removed").environment(host.environment).subject(host.name)
                .detail("before", before.fields()));
    }

    public Host require(long id) {
        Host host = Host.findById(id);
        if (host == null) {
            throw YardmasterException.notFound("host", "There is no host " + id + ".");
        }
        return host;
    }

    /**
     * One inventory change at a time across replicas (in the caller's transaction): the name
     * and address checks and the import's diff then hold until the change commits.
     */
    static void serialize() {
        Host.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.inventory'))")
                .getSingleResult();
    }

    /** A host as the input asks for it, checked against the patterns, not stored; {@code where} prefixes messages. */
    Host validated(HostInput input, String where) {
        Host host = new Host();
        apply(host, input, where);
        return host;
    }

    static void copy(Host from, Host to) {
        to.name = from.name;
        to.address = from.address;
        to.port = from.port;
        to.environment = from.environment;
        to.nodeType = from.nodeType;
        to.tags = from.tags;
        to.packages = from.packages;
        to.services = from.services;
        to.updatedAt = from.updatedAt;
    }

    private void apply(Host host, HostInput in, String where) {
        String address = blankToNull(in.address());
        if (address == null || !Names.HOST.matcher(address).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + Names.printable(address) + "' is not a host name or IP address.");
        }
        int port = in.port() == null ? ssh.config().port() : in.port();
        if (port < 1 || port > 65535) {
            throw YardmasterException.badRequest("bad-host", where + "port " + port + " is not between 1 and 65535.");
        }
        String name = blankToNull(in.name());
        if (name == null) {
            name = address;
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,252}")) {
            throw YardmasterException.badRequest("bad-host", where + "'" + Names.printable(name) + "' is not a valid host name.");
        }
        String env = blankToNull(in.environment());
        if (env == null || !Names.ENVIRONMENT.matcher(env).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + Names.printable(env) + "' is not an environment name.");
        }
        String type = blankToNull(in.nodeType());
        if (type == null || !Names.NODE_TYPE.matcher(type).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + Names.printable(type)
                    + "' is not a node type (lower case letters, digits, dashes).");
        }
        host.name = name;
        host.address = address;
        host.port = port;
        host.environment = env;
        host.nodeType = type;
        host.tags = join(in.tags(), Names.TAG, "tag", where);
        host.packages = join(in.packages(), Names.PACKAGE, "package", where);
        host.services = join(in.services(), Names.SERVICE, "service", where);
        host.updatedAt = OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static String join(List<String> items, Pattern pattern, String what, String where) {
        if (items == null) {
            return "";
        }
        List<String> clean = new ArrayList<>();
        for (String item : items) {
            if (item == null || item.isBlank()) {
                continue;
            }
            if (!pattern.matcher(item.strip()).matches()) {
                throw YardmasterException.badRequest("bad-host", where + "'" + Names.printable(item) + "' is not a valid " + what + " name.");
            }
            if (!clean.contains(item.strip())) {
                clean.add(item.strip());
            }
        }
        return String.join(" ", clean);
    }

    static List<String> list(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("[\\s;|]+"));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }


    /** For the fleet page: hosts per environment. */
    public static Map<String, Long> countsByEnvironment() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (Host h : Host.<Host>listAll()) {
            counts.merge(h.environment, 1L, Long::sum);
        }
        return counts;
    }
}
