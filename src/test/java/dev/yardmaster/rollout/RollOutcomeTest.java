package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which roll may call itself SUCCEEDED: the rule without a database or a host. */
class RollOutcomeTest {

    static Map<HostStatus, Long> counts(Object... pairs) {
        Map<HostStatus, Long> m = new EnumMap<>(HostStatus.class);
        for (HostStatus s : HostStatus.values()) {
            m.put(s, 0L);
        }
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((HostStatus) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void aRollIsSucceededOnlyWhenEveryHostInScopeRunsTheTarget() {
        RollOutcome allGood = RollOutcome.of(counts(HostStatus.SUCCEEDED, 18, HostStatus.AT_TARGET, 2));
        assertThat(allGood.status()).isEqualTo(RollStatus.SUCCEEDED);
        assertThat(allGood.reason()).isNull();
        RollOutcome terminatedAside = RollOutcome.of(counts(HostStatus.SUCCEEDED, 18, HostStatus.SKIPPED, 2));
        assertThat(terminatedAside.status()).isEqualTo(RollStatus.SUCCEEDED);
        assertThat(terminatedAside.reason()).isEqualTo("2 skipped (gone from the inventory)");
    }

    @Test
    void hostsOffTheTargetWithinTheBudgetEndSucceededWithFailuresAndAreCounted() {
        RollOutcome outcome = RollOutcome.of(counts(HostStatus.SUCCEEDED, 45, HostStatus.AT_TARGET, 1, HostStatus.FAILED, 1,
                HostStatus.UNHEALTHY, 1, HostStatus.TIMED_OUT, 1, HostStatus.UNREACHABLE, 1, HostStatus.SKIPPED, 2));
        assertThat(outcome.status()).isEqualTo(RollStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(outcome.json()).containsExactly(Map.entry("succeeded", 46L), Map.entry("failed", 3L),
                Map.entry("unreachable", 1L), Map.entry("skipped", 2L));
        assertThat(outcome.reason()).isEqualTo(
                "4 of 50 hosts do not run the target (within the budget): 46 succeeded, 3 failed, 1 unreachable, 2 skipped");
        assertThat(RollStatus.SUCCEEDED_WITH_FAILURES.isComplete()).isTrue();
        assertThat(RollStatus.SUCCEEDED_WITH_FAILURES.isFailure()).isTrue();
        assertThat(RollStatus.SUCCEEDED.isFailure()).isFalse();
        assertThat(RollStatus.SUCCEEDED_WITH_FAILURES.label()).isEqualTo("succeeded with failures");
    }

    @Test
    void theChatLineNamesTheRollItsOutcomeAndTheCounts() {
        Roll roll = new Roll();
        roll.id = 42L;
        roll.packageName = "flingerator";
        roll.targetEvr = "1.2.0-1";
        roll.environment = "staging";
        roll.status = RollStatus.SUCCEEDED_WITH_FAILURES;
        RollOutcome outcome = RollOutcome.of(counts(HostStatus.SUCCEEDED, 46, HostStatus.FAILED, 4));
        assertThat(RollOutcome.text(roll, outcome)).isEqualTo(
                "Roll 42: flingerator 1.2.0-1 → staging succeeded with failures (46 succeeded, 4 failed, 0 unreachable, 0 skipped)");
    }
}
