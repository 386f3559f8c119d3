package dev.yardmaster.scaling;

import dev.yardmaster.core.YardmasterException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The roll hosts that Auto Scaling provides: the InService instances of an environment's groups,
 * addressed by private IP (or private DNS). Spot instances come and go during a roll, so each
 * one is checked with AWS again when its turn comes, and one that was terminated in between is
 * skipped, not failed.
 */
@ApplicationScoped
public class Ec2Inventory {

    /** Why a host is skipped when its instance is gone. */
    public static final String TERMINATED = "instance terminated";

    /** A package version an instance installed at first boot: what its environment's repository held then. */
    public record BootVersion(String packageName, String evr, String nevra) {
        @Override
        public String toString() {
            return packageName + " " + evr;
        }
    }

    /** One instance as a roll host. */
    public record Ec2Host(String instanceId, String address, int port, String environment, String nodeType,
            String group, String market, OffsetDateTime launchedAt) {
    }

    /** What a roll should do with an instance whose turn has come. */
    public record TurnCheck(String instanceId, boolean proceed, String skipReason, String lifecycleState) {
    }

    private final AutoScaling scaling;
    private final ScalingConfig config;

    Ec2Inventory(AutoScaling scaling, ScalingConfig config) {
        this.scaling = scaling;
        this.config = config;
    }

    /** InService instances of the environment's groups, as last discovered (no AWS call). */
    @Transactional
    public List<Ec2Host> hosts(String environment) {
        return ScalingInstance.inServiceIn(environment).stream().filter(i -> i.address() != null).map(this::host).toList();
    }

    /**
     * The environment's InService instances launched at or after {@code since}, e.g. during a
     * roll. EC2 reports launch times to the second, so {@code since} is compared to the second.
     */
    @Transactional
    public List<Ec2Host> launchedSince(String environment, OffsetDateTime since) {
        OffsetDateTime from = since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return ScalingInstance.inServiceIn(environment).stream()
                .filter(i -> i.launchedAt != null && !i.launchedAt.isBefore(from) && i.address() != null)
                .map(this::host).toList();
    }

    /** Which build of each package an environment's repository held, and when. */
    public record BootHistory(List<Window> windows) {
        /** One build live in the repository from {@code from} until {@code until} (null: still live). */
        public record Window(BootVersion version, OffsetDateTime from, OffsetDateTime until) {
        }

        /** What an instance launched at {@code at} installed at first boot; empty when unknown or nothing was promoted. */
        public List<BootVersion> at(OffsetDateTime at) {
            if (at == null) {
                return List.of();
            }
            return windows.stream().filter(w -> !w.from().isAfter(at) && (w.until() == null || w.until().isAfter(at)))
                    .map(Window::version).toList();
        }

        /** The same, as one line for people: "flingerator 1.2-1, gnip-worker 0.3-1". */
        public String describe(OffsetDateTime at) {
            if (at == null) {
                return "launch time unknown";
            }
            List<BootVersion> versions = at(at);
            return versions.isEmpty() ? "nothing promoted yet"
                    : versions.stream().map(BootVersion::toString).collect(java.util.stream.Collectors.joining(", "));
        }
    }

    /** The environment's promotion history as first boot saw it (one query; first boot installs from the repository). */
    @Transactional
    public BootHistory bootHistory(String environment) {
        List<dev.yardmaster.promotion.Promotion> live = dev.yardmaster.promotion.Promotion.list(
                "environment.name = ?1 and state in ?2 and appliedAt is not null order by packageName, appliedAt",
                environment, List.of(dev.yardmaster.promotion.Promotion.State.applied,
                        dev.yardmaster.promotion.Promotion.State.superseded));
        return new BootHistory(live.stream().map(p -> new BootHistory.Window(
                new BootVersion(p.packageName, p.build.evr(), p.build.nevra), p.appliedAt, p.supersededAt)).toList());
    }

    /** What an instance of {@code environment} launched at {@code launchedAt} booted with. */
    public List<BootVersion> bootedWith(String environment, OffsetDateTime launchedAt) {
        return bootHistory(environment).at(launchedAt);
    }

    /**
     * Asks AWS whether the instance still serves. Terminating, terminated or gone: skip it with
     * {@link #TERMINATED}. Any other state that is not InService (Pending, Standby, ...) is a
     * skip too, with that state as the reason. AWS errors propagate: they are not terminations.
     */
    public TurnCheck atTurn(String instanceId) {
        AutoScaling.LiveInstance live = scaling.liveInstance(instanceId);
        String state = live.lifecycleState().orElse(null);
        if (live.isInService()) {
            return new TurnCheck(instanceId, true, null, state);
        }
        if (state == null || state.startsWith("Terminat") || state.startsWith("Detach")) {
            return new TurnCheck(instanceId, false, TERMINATED, state == null ? "gone" : state);
        }
        return new TurnCheck(instanceId, false, "instance " + state, state);
    }

    /** Refreshes the stored groups from AWS (after a roll, to list instances launched during it). */
    public void refresh(String by) {
        if (!scaling.enabled()) {
            throw new YardmasterException(503, "scaling-disabled", "Scaling is off", "EC2 Auto Scaling is not enabled.",
                    java.util.Map.of());
        }
        scaling.discover(by);
    }

    private Ec2Host host(ScalingInstance i) {
        return new Ec2Host(i.instanceId, i.address(), config.sshPort(), i.group.environment, i.group.nodeType,
                i.group.name, i.market, i.launchedAt);
    }
}
