package dev.yardmaster.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.yardmaster.audit.Actor;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.ssh.SshSessions;
import dev.yardmaster.web.YardmasterException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jboss.logging.Logger;

/**
 * The fleet: hosts per environment and node type from every {@link HostSource}, the static
 * inventory's edits and imports, and the turn-time "is this host still there?" check.
 */
@ApplicationScoped
public class Inventory {

    private static final Logger LOG = Logger.getLogger(Inventory.class);
    static final Pattern ENVIRONMENT = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    static final Pattern NODE_TYPE = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    static final Pattern TAG = Pattern.compile("[a-z0-9._+-]{1,40}");
    static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");
    static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}");

    /** A host as typed or imported, before validation. */
    public record HostInput(String name, String address, Integer port, String environment, String nodeType,
            List<String> tags, List<String> packages, List<String> services) {
    }

    public record ImportResult(int added, int updated) {
    }

    private final Instance<HostSource> sources;
    private final InventoryConfig config;
    private final AuditLog audit;
    private final SshSessions ssh;

    Inventory(Instance<HostSource> sources, InventoryConfig config, AuditLog audit, SshSessions ssh) {
        this.sources = sources;
        this.config = config;
        this.audit = audit;
        this.ssh = ssh;
    }

    void onStart(@Observes StartupEvent event) {
        config.importFile().filter(f -> !f.isBlank()).ifPresent(file -> {
            try {
                if (Host.count() == 0) {
                    ImportResult result = importText(Actor.system(), Files.readString(Path.of(file)), file);
                    LOG.infof("imported %d hosts from %s", result.added(), file);
                }
            } catch (IOException | RuntimeException e) {
                LOG.errorf("could not import the inventory from %s: %s", file, e.getMessage());
            }
        });
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

    @Transactional
    public Host add(Actor actor, HostInput input) {
        Host host = new Host();
        apply(host, input, 0);
        if (Host.named(host.name).isPresent()) {
            throw YardmasterException.conflict("host-exists", "A host named " + host.name + " already exists.");
        }
        if (Host.at(host.address, host.port).isPresent()) {
            throw YardmasterException.conflict("host-exists", "A host at " + host.address + ":" + host.port + " already exists.");
        }
        host.persist();
        audit.record(audit.entry(actor, "host.added").environment(host.environment).subject(host.name)
                .detail("address", host.address + ":" + host.port));
        return host;
    }

    @Transactional
    public Host update(Actor actor, long id, HostInput input) {
        Host host = require(id);
        String before = host.name;
        apply(host, input, 0);
        Host.named(host.name).filter(other -> !other.id.equals(host.id)).ifPresent(other -> {
            throw YardmasterException.conflict("host-exists", "A host named " + host.name + " already exists.");
        });
        audit.record(audit.entry(actor, "host.changed").environment(host.environment).subject(before)
                .detail("name", host.name).detail("address", host.address + ":" + host.port));
        return host;
    }

    @Transactional
    public void remove(Actor actor, long id) {
        Host host = require(id);
        host.delete();
        audit.record(audit.entry(actor, "host.removed").environment(host.environment).subject(host.name));
    }

    public Host require(long id) {
        Host host = Host.findById(id);
        if (host == null) {
            throw YardmasterException.notFound("host", "There is no host " + id + ".");
        }
        return host;
    }

    /**
     * Imports CSV or YAML (detected from the content): new hosts are added, hosts with a known
     * address and port are updated. All or nothing: one bad row refuses the whole import,
     * naming the row.
     */
    @Transactional
    public ImportResult importText(Actor actor, String text, String from) {
        List<HostInput> inputs = parse(text);
        int added = 0;
        int updated = 0;
        int row = 0;
        for (HostInput input : inputs) {
            row++;
            Host probe = new Host();
            apply(probe, input, row);
            Host host = Host.at(probe.address, probe.port).orElse(null);
            if (host == null) {
                Host clash = Host.named(probe.name).orElse(null);
                if (clash != null) {
                    throw YardmasterException.badRequest("bad-inventory", "Row " + row + ": the name " + probe.name
                            + " is already used by the host at " + clash.address + ":" + clash.port + ".");
                }
                probe.persist();
                added++;
            } else {
                apply(host, input, row);
                updated++;
            }
        }
        audit.record(audit.entry(actor, "inventory.imported").subject(from).detail("added", added).detail("updated", updated));
        return new ImportResult(added, updated);
    }

    static List<HostInput> parse(String text) {
        if (text == null || text.isBlank()) {
            throw YardmasterException.badRequest("bad-inventory", "The inventory is empty.");
        }
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("hosts:") || trimmed.startsWith("#") || trimmed.startsWith("-") || trimmed.startsWith("---")
                || trimmed.startsWith("user:") || !trimmed.contains(",")) {
            return parseYaml(text);
        }
        return parseCsv(text);
    }

    private static List<HostInput> parseCsv(String text) {
        try {
            var records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(true)
                    .setIgnoreEmptyLines(true).setCommentMarker('#').get().parse(new StringReader(text));
            var header = records.getHeaderNames();
            for (String required : List.of("address", "environment", "node_type")) {
                if (!header.contains(required)) {
                    throw YardmasterException.badRequest("bad-inventory", "The CSV header needs the columns "
                            + "address,port,environment,node_type,packages,services (missing: " + required + ").");
                }
            }
            List<HostInput> inputs = new ArrayList<>();
            for (CSVRecord r : records) {
                inputs.add(new HostInput(get(r, "name"), get(r, "address"), port(get(r, "port"), (int) r.getRecordNumber()),
                        get(r, "environment"), get(r, "node_type"), list(get(r, "tags")), list(get(r, "packages")),
                        list(get(r, "services"))));
            }
            return inputs;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw YardmasterException.badRequest("bad-inventory", "Not readable as CSV: " + e.getMessage());
        }
    }

    private static List<HostInput> parseYaml(String text) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (IOException e) {
            throw YardmasterException.badRequest("bad-inventory", "Not readable as CSV or YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode hosts = root == null ? null : root.isArray() ? root : root.get("hosts");
        if (hosts == null || !hosts.isArray()) {
            throw YardmasterException.badRequest("bad-inventory", "The YAML needs a list 'hosts:' of {address, port, environment, node_type, packages, services}.");
        }
        Integer defaultPort = root.has("port") ? root.get("port").asInt() : null;
        List<HostInput> inputs = new ArrayList<>();
        int row = 0;
        for (JsonNode h : hosts) {
            row++;
            Integer port = h.has("port") ? port(h.get("port").asText(), row) : defaultPort;
            inputs.add(new HostInput(text(h, "name"), text(h, "address"), port, text(h, "environment"),
                    text(h, "node_type"), yamlList(h.get("tags")), yamlList(h.get("packages")), yamlList(h.get("services"))));
        }
        return inputs;
    }

    private void apply(Host host, HostInput in, int row) {
        String where = row > 0 ? "Row " + row + ": " : "";
        String address = blankToNull(in.address());
        if (address == null || !SshSessions.ADDRESS.matcher(address).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + printable(address) + "' is not a host name or IP address.");
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
            throw YardmasterException.badRequest("bad-host", where + "'" + printable(name) + "' is not a valid host name.");
        }
        String env = blankToNull(in.environment());
        if (env == null || !ENVIRONMENT.matcher(env).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + printable(env) + "' is not an environment name.");
        }
        String type = blankToNull(in.nodeType());
        if (type == null || !NODE_TYPE.matcher(type).matches()) {
            throw YardmasterException.badRequest("bad-host", where + "'" + printable(type)
                    + "' is not a node type (lower case letters, digits, dashes).");
        }
        host.name = name;
        host.address = address;
        host.port = port;
        host.environment = env;
        host.nodeType = type;
        host.tags = join(in.tags(), TAG, "tag", where);
        host.packages = join(in.packages(), PACKAGE, "package", where);
        host.services = join(in.services(), SERVICE, "service", where);
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
                throw YardmasterException.badRequest("bad-host", where + "'" + printable(item) + "' is not a valid " + what + " name.");
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

    private static List<String> yamlList(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isArray()) {
            List<String> out = new ArrayList<>();
            node.forEach(n -> out.add(n.asText()));
            return out;
        }
        return list(node.asText());
    }

    private static String get(CSVRecord record, String column) {
        return record.isMapped(column) && record.isSet(column) ? record.get(column) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer port(String text, int row) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw YardmasterException.badRequest("bad-host", "Row " + row + ": port '" + printable(text) + "' is not a number.");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    static String printable(String text) {
        return dev.yardmaster.environment.Environments.printable(text);
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
