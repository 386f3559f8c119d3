package dev.yardmaster.fleet;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.security.Actor;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Imports an inventory file (CSV, Yardmaster's YAML, an Ansible INI or YAML inventory) as one
 * change: the diff against the stored inventory — added, changed (before and after), removed
 * (only with {@code prune}), refused with the reason per host — is worked out first, under the
 * inventory lock; a dry run returns it and changes nothing; otherwise it is applied whole, or,
 * when any host is refused, not at all (422). Each host is checked by {@link InventoryAuthority}
 * as a single edit would be, and audited with before and after.
 */
@ApplicationScoped
public class InventoryImport {

    private static final Logger LOG = Logger.getLogger(InventoryImport.class);

    /** A stored host the file changes. */
    public record Change(HostView before, HostView after) {
    }

    /** A host the import will not take, the line that names it (0: not in the file, e.g. a pruned host) and why. */
    public record Refusal(int line, String host, String environment, int status, String type, String reason) {
    }

    /** What an import does (dry run) or did. */
    public record Diff(String format, boolean dryRun, boolean applied, List<HostView> added, List<Change> changed,
            List<HostView> removed, List<Refusal> refused, int unchanged, String fingerprint) {

        /** Something to apply and nothing refused: the page offers "Apply". */
        public boolean canApply() {
            return refused.isEmpty() && (!added.isEmpty() || !changed.isEmpty() || !removed.isEmpty());
        }
    }

    private record Wanted(int line, Host host) {
    }

    private final Inventory inventory;
    private final InventoryAuthority authority;
    private final InventoryConfig config;
    private final AuditLog audit;
    private final Event<Inventory.HostsChanged> changed;

    InventoryImport(Inventory inventory, InventoryAuthority authority, InventoryConfig config, AuditLog audit,
            Event<Inventory.HostsChanged> changed) {
        this.inventory = inventory;
        this.authority = authority;
        this.config = config;
        this.audit = audit;
        this.changed = changed;
    }

    /** The start-up import of {@code yardmaster.inventory.import-file}, after the environments are in place. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent event) {
        config.importFile().filter(f -> !f.isBlank()).ifPresent(file -> {
            try {
                if (Host.count() == 0) {
                    Diff diff = importText(Editor.console(Actor.system()), Files.readString(Path.of(file)), null, false, false, file,
                            null);
                    LOG.infof("imported %d hosts from %s", diff.added().size(), file);
                }
            } catch (IOException | RuntimeException e) {
                LOG.errorf("could not import the inventory from %s: %s", file, e.getMessage());
            }
        });
    }

    /**
     * Reads {@code text} in {@code format} (null: guessed) and works out the diff; unless
     * {@code dryRun}, applies it whole or refuses it whole. {@code prune} also removes the stored
     * hosts of the environments the file names that the file does not list. {@code expect}, a
     * dry run's fingerprint, refuses (409) to apply anything else than the diff that was shown.
     */
    @Transactional
    public Diff importText(Editor editor, String text, String format, boolean dryRun, boolean prune, String from,
            String expect) {
        if (text == null || text.isBlank()) {
            throw InventoryFormat.bad("The inventory is empty.");
        }
        InventoryFormat kind = InventoryFormat.of(format, text);
        Set<String> environments = Environment.inLifecycleOrder().stream().map(e -> e.name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        List<ParsedHost> parsed = switch (kind) {
            case CSV -> CsvInventory.parse(text);
            case YAML -> YamlInventory.parse(text);
            case ANSIBLE_INI -> AnsibleIni.parse(text).resolve(config.ansible(), environments);
            case ANSIBLE_YAML -> AnsibleYaml.parse(text).resolve(config.ansible(), environments);
        };
        if (parsed.isEmpty()) {
            throw InventoryFormat.bad("The inventory names no hosts.");
        }
        Inventory.serialize();
        List<Refusal> refused = new ArrayList<>();
        List<Wanted> added = new ArrayList<>();
        Map<Host, Wanted> changes = new LinkedHashMap<>();
        int unchanged = 0;
        Map<String, Integer> namesInFile = new HashMap<>();
        Map<String, Integer> addressesInFile = new HashMap<>();
        Set<Long> listed = new LinkedHashSet<>();
        Set<String> environmentsInFile = new LinkedHashSet<>();
        for (ParsedHost p : parsed) {
            String name = p.name();
            if (p.refusal() != null) {
                refused.add(new Refusal(p.line(), name, p.input().environment(), 422, "host-refused", p.refusal()));
                continue;
            }
            Host wanted;
            try {
                wanted = inventory.validated(p.input(), "");
            } catch (YardmasterException e) {
                refused.add(refusal(p.line(), name, p.input().environment(), e));
                continue;
            }
            String address = wanted.address + ":" + wanted.port;
            Host stored = Host.at(wanted.address, wanted.port).or(() -> Host.named(wanted.name)).orElse(null);
            if (stored != null && (p.input().name() == null || p.input().name().isBlank())) {
                // A file without names (CSV of addresses) keeps the names hosts have.
                wanted.name = stored.name;
            }
            Integer sameName = namesInFile.putIfAbsent(wanted.name, p.line());
            Integer sameAddress = addressesInFile.putIfAbsent(address, p.line());
            if (sameName != null || sameAddress != null) {
                refused.add(new Refusal(p.line(), wanted.name, wanted.environment, 422, "duplicate-host", (sameName != null
                        ? "the name " + wanted.name + " is also on line " + sameName
                        : "the address " + address + " is also on line " + sameAddress) + "."));
                continue;
            }
            environmentsInFile.add(wanted.environment);
            Host nameTaken = Host.named(wanted.name).filter(h -> stored == null || !h.id.equals(stored.id)).orElse(null);
            Host addressTaken = Host.at(wanted.address, wanted.port).filter(h -> stored == null || !h.id.equals(stored.id)).orElse(null);
            if (nameTaken != null || addressTaken != null) {
                refused.add(new Refusal(p.line(), wanted.name, wanted.environment, 409, "host-exists", nameTaken != null
                        ? "the name " + wanted.name + " is used by the host at " + nameTaken.address + ":" + nameTaken.port + "."
                        : "the address " + address + " is used by " + addressTaken.name + "."));
                continue;
            }
            if (stored != null) {
                listed.add(stored.id);
            }
            try {
                if (stored == null) {
                    authority.check(editor, wanted.environment, "Adding " + wanted.name + " to " + wanted.environment);
                    added.add(new Wanted(p.line(), wanted));
                } else if (HostView.of(stored).fields().equals(HostView.of(wanted).fields())) {
                    unchanged++;
                } else if (stored.environment.equals(wanted.environment)) {
                    authority.check(editor, wanted.environment, "Changing " + stored.name + " in " + stored.environment);
                    changes.put(stored, new Wanted(p.line(), wanted));
                } else {
                    String what = "Moving " + stored.name + " from " + stored.environment + " to " + wanted.environment;
                    authority.checkLeaving(editor, stored.environment, what);
                    authority.check(editor, wanted.environment, what);
                    changes.put(stored, new Wanted(p.line(), wanted));
                }
            } catch (YardmasterException e) {
                refused.add(refusal(p.line(), wanted.name, wanted.environment, e));
            }
        }
        List<Host> removed = new ArrayList<>();
        if (prune) {
            for (String env : environmentsInFile) {
                for (Host h : Host.in(env)) {
                    if (listed.contains(h.id) || namesInFile.containsKey(h.name)) {
                        continue;
                    }
                    try {
                        authority.checkLeaving(editor, h.environment, "Removing " + h.name + " from " + h.environment);
                        removed.add(h);
                    } catch (YardmasterException e) {
                        refused.add(refusal(0, h.name, h.environment, e));
                    }
                }
            }
        }
        Diff diff = new Diff(kind.id, dryRun, false, added.stream().map(w -> HostView.of(w.host())).toList(),
                changes.entrySet().stream().map(e -> new Change(HostView.of(e.getKey()), HostView.of(e.getValue().host())))
                        .toList(),
                removed.stream().map(HostView::of).toList(), refused, unchanged, null);
        diff = new Diff(diff.format(), dryRun, false, diff.added(), diff.changed(), diff.removed(), refused, unchanged,
                fingerprint(diff));
        if (dryRun) {
            return diff;
        }
        if (!refused.isEmpty()) {
            throw refusedWhole(diff, parsed.size());
        }
        if (expect != null && !expect.isBlank() && !expect.strip().equals(diff.fingerprint())) {
            throw new YardmasterException(409, "import-stale", "Conflict", "The inventory changed since the preview: nothing "
                    + "was imported. Review the new diff and apply it again.", Map.of("diff", diff));
        }
        return apply(editor, diff, added, changes, removed, from);
    }

    private Diff apply(Editor editor, Diff diff, List<Wanted> added, Map<Host, Wanted> changes, List<Host> removed, String from) {
        Actor actor = editor.actor();
        Set<String> asked = new LinkedHashSet<>();
        List<HostView> addedViews = new ArrayList<>();
        for (Wanted w : added) {
            w.host().persist();
            HostView after = HostView.of(w.host());
            addedViews.add(after);
            asked.add(after.name());
            audit.record(audit.entry(actor, "host.added").environment(after.environment()).subject(after.name())
                    .detail("address", after.address() + ":" + after.port()).detail("import", from).detail("line", w.line())
                    .detail("after", after.fields()));
        }
        for (var entry : changes.entrySet()) {
            Host stored = entry.getKey();
            HostView before = HostView.of(stored);
            Inventory.copy(entry.getValue().host(), stored);
            HostView after = HostView.of(stored);
            asked.add(after.name());
            audit.record(audit.entry(actor, "host.changed").environment(after.environment()).subject(before.name())
                    .detail("name", after.name()).detail("address", after.address() + ":" + after.port())
                    .detail("movedFrom", before.environment().equals(after.environment()) ? null : before.environment())
                    .detail("import", from).detail("line", entry.getValue().line())
                    .detail("before", before.fields()).detail("after", after.fields()));
        }
        for (Host h : removed) {
            HostView before = HostView.of(h);
            h.delete();
            audit.record(audit.entry(actor, "host.removed").environment(before.environment()).subject(before.name())
                    .detail("import", from).detail("before", before.fields()));
        }
        audit.record(audit.entry(actor, "inventory.imported").subject(from).detail("format", diff.format())
                .detail("added", added.size()).detail("changed", changes.size()).detail("removed", removed.size())
                .detail("unchanged", diff.unchanged()));
        if (!asked.isEmpty()) {
            changed.fire(new Inventory.HostsChanged(asked));
        }
        return new Diff(diff.format(), false, true, addedViews, diff.changed(), diff.removed(), List.of(), diff.unchanged(),
                diff.fingerprint());
    }

    /** What the diff would do, as a short hash: a preview's fingerprint matches the apply only if nothing moved between. */
    static String fingerprint(Diff diff) {
        StringBuilder text = new StringBuilder();
        diff.added().forEach(h -> text.append("+").append(h.fields()).append('\n'));
        diff.changed().forEach(c -> text.append("~").append(c.before().fields()).append(c.after().fields()).append('\n'));
        diff.removed().forEach(h -> text.append("-").append(h.fields()).append('\n'));
        diff.refused().forEach(r -> text.append("!").append(r).append('\n'));
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 422 naming each refused host; nothing of the file was applied. */
    private static YardmasterException refusedWhole(Diff diff, int hosts) {
        String reasons = diff.refused().stream().limit(5)
                .map(r -> (r.line() > 0 ? "line " + r.line() + " (" + r.host() + ")" : r.host()) + ": " + r.reason())
                .collect(Collectors.joining("; "));
        int more = diff.refused().size() - 5;
        return new YardmasterException(422, "import-refused", "Unprocessable", "Nothing was imported: " + diff.refused().size()
                + " of " + hosts + " hosts are refused. " + reasons + (more > 0 ? "; and " + more + " more." : ""),
                Map.of("refused", diff.refused(), "diff", diff));
    }

    private static Refusal refusal(int line, String host, String environment, YardmasterException e) {
        var problem = e.problem();
        return new Refusal(line, host, environment, problem.status(),
                problem.type().substring(problem.type().lastIndexOf('/') + 1), e.getMessage());
    }
}
