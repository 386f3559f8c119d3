package dev.yardmaster.drift;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.build.Evr;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.fleet.Host;
import dev.yardmaster.fleet.HostPackage;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.fleet.InventoryHost;
import dev.yardmaster.promotion.TargetBuilds;
import dev.yardmaster.rollout.HostScript;
import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.security.Actor;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.OutputListener;
import dev.yardmaster.ssh.RemoteCommand;
import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import dev.yardmaster.ssh.SshSessions;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * Which version each host actually runs against the build promoted to its environment. The
 * installed versions come from the hosts ({@code rpm -q}): recorded by every roll, and on demand
 * by {@link #check}, which asks the hosts over SSH with bounded parallelism.
 */
@ApplicationScoped
public class Drift {

    /** Where a host stands against the promoted build. */
    public enum State {
        IN_SYNC, BEHIND, AHEAD, UNKNOWN,
        /** The host answered, but nothing is promoted to compare its version with: known, not unknown. */
        UNCOMPARED
    }

    public record HostDrift(String name, String address, int port, State state, String installed, OffsetDateTime checkedAt,
            String source, Long rollId, String reason) {
    }

    public record Counts(int inSync, int behind, int ahead, int unknown, int uncompared) {
        public int drifting() {
            return behind + ahead + unknown;
        }
    }

    /** One package in one environment: the promoted build, counts, and the hosts that are not in sync. */
    public record PackageDrift(String environment, String packageName, String promoted, int hosts, Counts counts,
            List<HostDrift> drifting, String fix) {
    }

    public record CheckResult(int hosts, int answered, int failed, List<PackageDrift> drift) {
    }

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    private final Inventory inventory;
    private final Environments environments;
    private final TargetBuilds targets;
    private final SshSessions ssh;
    private final DriftConfig config;
    private final AuditLog audit;

    Drift(Inventory inventory, Environments environments, TargetBuilds targets, SshSessions ssh, DriftConfig config,
            AuditLog audit) {
        this.inventory = inventory;
        this.environments = environments;
        this.targets = targets;
        this.ssh = ssh;
        this.config = config;
        this.audit = audit;
    }

    /** Drift per environment and package, optionally of one environment and/or one package. */
    @Transactional
    public List<PackageDrift> report(String environment, String packageName) {
        String pkg = validPackage(packageName);
        List<PackageDrift> report = new ArrayList<>();
        for (Environment env : environmentsFor(environment)) {
            for (String p : pkg != null ? List.of(pkg) : packagesIn(env)) {
                List<InventoryHost> hosts = inventory.hosts(env.name, p);
                if (hosts.isEmpty()) {
                    continue;
                }
                report.add(drift(env.name, p, hosts));
            }
        }
        return report;
    }

    private PackageDrift drift(String environment, String packageName, List<InventoryHost> hosts) {
        String promoted = targets.promoted(environment, packageName).orElse(null);
        Map<String, HostPackage> seen = new HashMap<>();
        HostPackage.in(environment, packageName).forEach(h -> seen.put(h.hostName, h));
        int inSync = 0, behind = 0, ahead = 0, unknown = 0, uncompared = 0;
        List<HostDrift> drifting = new ArrayList<>();
        for (InventoryHost host : hosts) {
            HostDrift d = hostDrift(host, seen.get(host.name()), promoted);
            switch (d.state()) {
                case IN_SYNC -> inSync++;
                case BEHIND -> behind++;
                case AHEAD -> ahead++;
                case UNCOMPARED -> uncompared++;
                case UNKNOWN -> unknown++;
            }
            if (d.state() != State.IN_SYNC) {
                drifting.add(d);
            }
        }
        // A roll can fix only hosts that answered with another version: an unreachable or never-asked
        // host (unknown) would fail the roll the same way it failed the check.
        List<HostDrift> fixable = drifting.stream().filter(d -> d.state() == State.BEHIND || d.state() == State.AHEAD).toList();
        return new PackageDrift(environment, packageName, promoted, hosts.size(), new Counts(inSync, behind, ahead, unknown, uncompared),
                drifting, promoted == null || fixable.isEmpty() ? null : fixLink(environment, packageName, fixable));
    }

    private static HostDrift hostDrift(InventoryHost host, HostPackage seen, String promoted) {
        State state;
        String reason;
        if (seen == null) {
            state = State.UNKNOWN;
            reason = "never checked";
        } else if (seen.error != null) {
            state = State.UNKNOWN;
            reason = "last check failed: " + seen.error;
        } else if (promoted == null) {
            state = State.UNCOMPARED;
            reason = "nothing promoted to compare with";
        } else if (seen.installedEvr == null) {
            state = State.BEHIND;
            reason = "not installed";
        } else {
            int order = Evr.parse(seen.installedEvr).compareTo(Evr.parse(promoted));
            state = order < 0 ? State.BEHIND : order > 0 ? State.AHEAD : State.IN_SYNC;
            reason = order < 0 ? "older than the promoted build" : order > 0 ? "newer than the promoted build" : null;
        }
        return new HostDrift(host.name(), host.address(), host.port(), state, seen == null ? null : seen.installedEvr,
                seen == null ? null : seen.checkedAt, seen == null ? null : seen.source.name(),
                // A failed check was not seen by the roll that last read the host: name no roll for it.
                seen == null || seen.error != null ? null : seen.rollId, reason);
    }

    /** The rolls page with the plan pre-filled: this package, this environment, the drifting hosts by name. */
    private static String fixLink(String environment, String packageName, List<HostDrift> drifting) {
        String names = String.join(",", drifting.stream().map(HostDrift::name).toList());
        boolean listable = names.length() <= RollPlan.MAX_NAMES
                && drifting.stream().allMatch(h -> SAFE_NAME.matcher(h.name()).matches());
        return "/rolls?package=" + enc(packageName) + "&environment=" + enc(environment)
                + (listable ? "&names=" + enc(names) : "");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Asks every host of the environment (running the package, or any package when none is named)
     * which version it runs, records the answers and returns the environment's drift.
     */
    public CheckResult check(Actor actor, String environment, String packageName) {
        if (environment == null || environment.isBlank()) {
            throw YardmasterException.badRequest("environment-required", "Name the environment to check (?environment=staging).");
        }
        String pkg = validPackage(packageName);
        if (!ssh.isConfigured()) {
            throw YardmasterException.conflict("ssh-not-configured",
                    "SSH is not configured (yardmaster.ssh.private-key, known-hosts), so hosts cannot be asked.");
        }
        // Host name → (host, the packages to ask it about).
        Map<String, InventoryHost> hosts = new LinkedHashMap<>();
        Map<String, List<String>> asked = new LinkedHashMap<>();
        Environment env = QuarkusTransaction.requiringNew().call(() -> {
            Environment e = environmentsFor(environment).get(0);
            for (String p : pkg != null ? List.of(pkg) : packagesIn(e)) {
                for (InventoryHost h : inventory.hosts(e.name, p)) {
                    hosts.putIfAbsent(h.name(), h);
                    asked.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(p);
                }
            }
            return e;
        });
        Map<String, Answer> answers = askAll(hosts.values(), asked);
        int failed = (int) answers.values().stream().filter(a -> a.error() != null).count();
        QuarkusTransaction.requiringNew().run(() -> {
            recordAnswers(hosts, asked, answers);
            audit.record(audit.entry(actor, "drift.checked").environment(env.name).packageName(pkg)
                    .subject(env.name).detail("hosts", hosts.size()).detail("unanswered", failed));
        });
        return new CheckResult(hosts.size(), hosts.size() - failed, failed, report(env.name, pkg));
    }

    /** What a check of many hosts found: how many were asked, answered and could not be asked, and how long it took. */
    public record Asked(int hosts, int answered, int failed, long millis) {
    }

    /**
     * Asks hosts (every host of every environment, or those named) about every package of their
     * environment — what they are listed with, what is promoted there, what was seen there — and
     * records the answers; a host that cannot be asked keeps its last known version and gets the
     * reason. The start-up and new-host checks. Audited as {@code drift.checked} with the trigger.
     */
    public Asked checkHosts(Actor actor, String trigger, java.util.Set<String> names) {
        long started = System.nanoTime();
        Map<String, InventoryHost> hosts = new LinkedHashMap<>();
        Map<String, List<String>> asked = new LinkedHashMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            for (Environment e : Environment.inLifecycleOrder()) {
                for (String p : packagesIn(e)) {
                    for (InventoryHost h : inventory.hosts(e.name, p)) {
                        if (names == null || names.contains(h.name())) {
                            hosts.putIfAbsent(h.name(), h);
                            asked.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(p);
                        }
                    }
                }
            }
        });
        if (hosts.isEmpty()) {
            return new Asked(0, 0, 0, 0);
        }
        Map<String, Answer> answers;
        if (ssh.isConfigured()) {
            answers = askAll(hosts.values(), asked);
        } else {
            answers = new HashMap<>();
            Answer why = new Answer(Map.of(), "SSH is not configured (yardmaster.ssh.private-key, known-hosts)", now());
            hosts.keySet().forEach(name -> answers.put(name, why));
        }
        int failed = (int) answers.values().stream().filter(a -> a.error() != null).count();
        long millis = (System.nanoTime() - started) / 1_000_000;
        QuarkusTransaction.requiringNew().run(() -> {
            recordAnswers(hosts, asked, answers);
            audit.record(audit.entry(actor, "drift.checked").subject(trigger).detail("trigger", trigger)
                    .detail("hosts", hosts.size()).detail("unanswered", failed).detail("millis", millis));
        });
        return new Asked(hosts.size(), hosts.size() - failed, failed, millis);
    }

    /** Asks each host about its packages, {@code yardmaster.drift.parallelism} at a time. */
    private Map<String, Answer> askAll(java.util.Collection<InventoryHost> hosts, Map<String, List<String>> asked) {
        Map<String, Answer> answers = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(Math.max(1, config.parallelism()));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (InventoryHost host : hosts) {
                pool.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        answers.put(host.name(), ask(host, asked.get(host.name())));
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return answers;
    }

    /** In the caller's transaction: each answer as of the time it came, never over a newer record (a roll's). */
    private static void recordAnswers(Map<String, InventoryHost> hosts, Map<String, List<String>> asked,
            Map<String, Answer> answers) {
        for (var entry : asked.entrySet()) {
            Answer answer = answers.get(entry.getKey());
            String environment = hosts.get(entry.getKey()).environment();
            for (String p : entry.getValue()) {
                if (answer.error() != null) {
                    HostPackage.unreadableAt(entry.getKey(), environment, p, answer.error(), answer.at());
                } else {
                    HostPackage.seenAt(entry.getKey(), environment, p, answer.installed().get(p), answer.at());
                }
            }
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(java.time.ZoneOffset.UTC);
    }

    private record Answer(Map<String, String> installed, String error, OffsetDateTime at) {
    }

    private Answer ask(InventoryHost host, List<String> packages) {
        // With the epoch, as a roll's check reads it: the same build must look the same from both.
        RemoteCommand command = HostScript.query(packages);
        List<String> out = new ArrayList<>();
        try (SshConnection c = ssh.connect(host.address(), host.port(), config.timeout())) {
            ExecResult result = c.exec(command, config.timeout(), (stream, line) -> {
                if (stream == OutputListener.Stream.STDOUT) {
                    synchronized (out) {
                        out.add(line.strip());
                    }
                }
            });
            if (result.timedOut()) {
                return new Answer(Map.of(), "rpm -q did not answer within " + config.timeout().toSeconds() + " s", now());
            }
            if (result.canceled()) {
                return new Answer(Map.of(), "interrupted", now());
            }
        } catch (SshFailure e) {
            return new Answer(Map.of(), e.getMessage(), now());
        } catch (RuntimeException e) {
            return new Answer(Map.of(), e.getClass().getSimpleName() + ": " + e.getMessage(), now());
        }
        return new Answer(parse(packages, out), null, now());
    }

    /**
     * {@code rpm -q a b} output → EVR per package (absent: not installed). The longest matching
     * name wins ({@code foo} vs {@code foo-bar}); several installed versions give the newest.
     */
    static Map<String, String> parse(List<String> packages, List<String> lines) {
        List<String> byLength = new ArrayList<>(packages);
        byLength.sort(Comparator.comparingInt(String::length).reversed());
        Map<String, String> installed = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("package ") && line.endsWith(" is not installed")) {
                continue;
            }
            for (String p : byLength) {
                if (line.startsWith(p + "-")) {
                    String evr = evr(p, line);
                    if (evr != null && Names.EVR.matcher(evr).matches()) {
                        installed.merge(p, evr, (a, b) -> Evr.parse(a).compareTo(Evr.parse(b)) >= 0 ? a : b);
                        break;
                    }
                }
            }
        }
        return installed;
    }

    private static String evr(String packageName, String nevra) {
        // Read as a roll's check reads it (arch dropped, an explicit epoch 0 is no epoch).
        String rest = HostScript.evr(packageName, nevra);
        // name-[epoch:]version-release: the rest must be exactly that
        return rest.chars().filter(c -> c == '-').count() == 1 ? rest : null;
    }

    private List<Environment> environmentsFor(String environment) {
        if (environment == null || environment.isBlank()) {
            return Environment.inLifecycleOrder();
        }
        if (!Names.ENVIRONMENT.matcher(environment.strip()).matches()) {
            throw YardmasterException.badRequest("bad-environment", "'" + Names.printable(environment)
                    + "' is not an environment name.");
        }
        return List.of(environments.require(environment.strip()));
    }

    private static String validPackage(String packageName) {
        if (packageName == null || packageName.isBlank()) {
            return null;
        }
        if (!Names.PACKAGE.matcher(packageName.strip()).matches()) {
            throw YardmasterException.badRequest("bad-package", "'" + Names.printable(packageName)
                    + "' is not a package name like flingerator.");
        }
        return packageName.strip();
    }

    /** Packages of an environment: what its hosts are listed with, what is promoted there, what was seen on them. */
    private static List<String> packagesIn(Environment env) {
        TreeSet<String> names = new TreeSet<>();
        for (Host h : Host.in(env.name)) {
            names.addAll(h.packageList());
        }
        dev.yardmaster.promotion.Promotion.liveIn(env).forEach(p -> names.add(p.packageName));
        names.addAll(HostPackage.packagesIn(env.name));
        return List.copyOf(names);
    }
}
