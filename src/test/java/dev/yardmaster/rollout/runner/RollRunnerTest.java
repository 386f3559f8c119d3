package dev.yardmaster.rollout.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.rollout.HostScript;
import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.RollConfig;
import dev.yardmaster.rollout.Step;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.SshFailure;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runner's pure rules, without a database or a host: hand-over, budget, host outcomes, markers. */
class RollRunnerTest {

    static final ExecResult OK = new ExecResult(0, false, false, Duration.ofMillis(5));
    static final ExecResult TIMED_OUT = new ExecResult(null, true, false, Duration.ofSeconds(60));
    static final ExecResult CANCELED = new ExecResult(null, false, true, Duration.ofSeconds(1));

    static ExecResult exited(int status) {
        return new ExecResult(status, false, false, Duration.ofMillis(5));
    }

    @Test
    void runningHostsGetTheShutdownTimeoutLessTimeToHandOver() {
        assertThat(RollRunner.handOverGrace(Optional.of(Duration.ofSeconds(50)))).isEqualTo(Duration.ofSeconds(45));
        assertThat(RollRunner.handOverGrace(Optional.of(Duration.ofSeconds(30)))).isEqualTo(Duration.ofSeconds(25));
        assertThat(RollRunner.handOverGrace(Optional.of(Duration.ofSeconds(3)))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RollRunner.handOverGrace(Optional.empty())).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anotherReplicaTakesAnOrphanedRollOverWithinThirtySecondsByDefault() throws Exception {
        Duration lease = Duration.parse("PT" + RollConfig.class.getMethod("leaseDuration")
                .getAnnotation(io.smallrye.config.WithDefault.class).value().toUpperCase());
        Duration heartbeat = Duration.parse("PT" + RollConfig.class.getMethod("heartbeat")
                .getAnnotation(io.smallrye.config.WithDefault.class).value().toUpperCase());
        assertThat(lease.plus(heartbeat)).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void eachBudgetHaltsTheRollOnlyWhenExceeded() {
        FailureBudget budget = new FailureBudget(2, 0);
        assertThat(budget.spent(2, 0)).isNull();
        assertThat(budget.spent(3, 0)).isEqualTo("failure budget spent: 3 hosts failed, budget 2");
        assertThat(budget.spent(0, 1)).isEqualTo("unreachable budget spent: 1 host unreachable, budget 0");
    }

    @Test
    void theScriptsEndIsClassifiedByTheLastStepItReached() {
        Duration t = Duration.ofSeconds(60);
        assertThat(HostOutcome.of(CANCELED, HostStep.UPDATE, HostScript.AtTarget.STOP, "1-1", null, t, "yum", ""))
                .isEqualTo(new HostOutcome(HostStatus.CANCELED, "update interrupted by cancel", false));
        assertThat(HostOutcome.of(CANCELED, HostStep.CHECK, HostScript.AtTarget.STOP, "1-1", null, t, "rpm", "").reason())
                .isEqualTo("interrupted");
        assertThat(HostOutcome.of(TIMED_OUT, HostStep.UPDATE, HostScript.AtTarget.STOP, "1-1", null, t, "yum", ""))
                .isEqualTo(new HostOutcome(HostStatus.TIMED_OUT, "update did not finish within 60 s; its command was killed", false));
        assertThat(HostOutcome.of(TIMED_OUT, null, HostScript.AtTarget.STOP, "1-1", null, Duration.ofMillis(1500), "", "").reason())
                .isEqualTo("the host's script did not start within 1500 ms; it was killed");
        assertThat(HostOutcome.of(OK, HostStep.AT_TARGET, HostScript.AtTarget.STOP, "1-1", null, t, "rpm", "").status())
                .isEqualTo(HostStatus.AT_TARGET);
        assertThat(HostOutcome.of(exited(97), HostStep.VERIFY, HostScript.AtTarget.STOP, "1-1", "0.9-1", t, "rpm", ""))
                .isEqualTo(new HostOutcome(HostStatus.FAILED, "after the update rpm -q says 0.9-1, expected 1-1", false));
        assertThat(HostOutcome.of(exited(1), HostStep.UPDATE, HostScript.AtTarget.STOP, "1-1", null, t, "yum", ": no repo"))
                .isEqualTo(new HostOutcome(HostStatus.FAILED, "update failed: 'yum' exited 1: no repo", false));
        assertThat(HostOutcome.of(exited(3), HostStep.HEALTH, HostScript.AtTarget.STOP, "1-1", null, t, "is-active", "").health())
                .as("a failed first health check is retried").isTrue();
        assertThat(HostOutcome.ofConnectFailure(SshFailure.Kind.HOST_KEY_CHANGED)).isEqualTo(HostStatus.HOST_KEY_CHANGED);
        assertThat(HostOutcome.ofConnectFailure(SshFailure.Kind.DISCONNECTED)).isEqualTo(HostStatus.UNREACHABLE);
        assertThat(HostOutcome.ofSessionFailure(SshFailure.Kind.TIMEOUT)).isEqualTo(HostStatus.TIMED_OUT);
    }

    @Test
    void aResumedHostAsksItselfWhetherItsRestartIsDueUnlessItWasThereBeforeTheRoll() {
        assertThat(HostRun.atTarget(Step.QUEUED, null, "1-1")).isEqualTo(HostScript.AtTarget.STOP);
        assertThat(HostRun.atTarget(Step.QUEUED, "1-1", "1-1")).isEqualTo(HostScript.AtTarget.STOP);
        assertThat(HostRun.atTarget(Step.QUEUED, "0.9-1", "1-1")).as("a retried host an attempt changed").isEqualTo(HostScript.AtTarget.CHECK);
        assertThat(HostRun.atTarget(Step.CONNECT, null, "1-1")).isEqualTo(HostScript.AtTarget.CHECK);
        assertThat(HostRun.atTarget(Step.UPDATE, null, "1-1")).isEqualTo(HostScript.AtTarget.CHECK);
        assertThat(HostRun.atTarget(Step.RESTART, null, "1-1")).isEqualTo(HostScript.AtTarget.CHECK);
        assertThat(HostRun.atTarget(Step.HEALTH, null, "1-1")).isEqualTo(HostScript.AtTarget.HEALTH);
    }

    @Test
    void onlyLinesWithTheRunsNonceAreMarkers() {
        String nonce = ScriptSession.nonce();
        assertThat(nonce).matches("[0-9a-f]{16}").isNotEqualTo(ScriptSession.nonce());
        assertThat(HostStep.of("@@yardmaster-" + nonce + " restart", nonce)).isEqualTo(HostStep.RESTART);
        assertThat(HostStep.of("@@yardmaster-" + nonce + " at-target", nonce)).isEqualTo(HostStep.AT_TARGET);
        assertThat(HostStep.of("@@yardmaster-step restart", nonce)).isNull();
        assertThat(HostStep.of("@@yardmaster-0000000000000000 restart", nonce)).isNull();
        assertThat(HostStep.of("  @@yardmaster-" + nonce + " restart", nonce)).isNull();
    }
}
