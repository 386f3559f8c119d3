package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.core.YardmasterException;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The state machine's sets and people's edges, without a database. */
class RollControlTest {

    @Test
    void everyStatusIsEitherActiveOrTerminal() {
        EnumSet<RollStatus> all = EnumSet.copyOf(RollStatus.ACTIVE);
        all.addAll(RollStatus.TERMINAL);
        assertThat(all).containsExactlyInAnyOrder(RollStatus.values());
        assertThat(RollStatus.ACTIVE).doesNotContainAnyElementsOf(RollStatus.TERMINAL);
        assertThat(RollStatus.sql(RollStatus.ACTIVE)).isEqualTo("('PENDING', 'RUNNING', 'WAITING', 'PAUSED')");
    }

    @Test
    void hostFailuresAndUnreachableHostsAreRetryableAndComplete() {
        assertThat(HostStatus.RETRYABLE).containsExactlyInAnyOrder(HostStatus.FAILED, HostStatus.HOST_KEY_CHANGED,
                HostStatus.TIMED_OUT, HostStatus.UNHEALTHY, HostStatus.UNREACHABLE);
        assertThat(HostStatus.RETRYABLE).allMatch(HostStatus::isComplete);
        assertThat(HostStatus.OPEN).noneMatch(HostStatus::isComplete);
        assertThat(HostStatus.CANCELED.isRetryable()).isFalse();
    }

    @Test
    void aCanceledRollCannotBeCanceledPausedOrContinuedButCanBeRetried() {
        assertThat(RollControl.CANCEL.allows(RollStatus.WAITING)).isTrue();
        assertThat(RollControl.RETRY.allows(RollStatus.CANCELED)).isTrue();
        for (RollControl control : EnumSet.of(RollControl.CANCEL, RollControl.PAUSE, RollControl.CONTINUE, RollControl.RESUME)) {
            assertThatThrownBy(() -> control.check(4, RollStatus.CANCELED)).isInstanceOf(YardmasterException.class)
                    .hasMessage("Roll 4 is canceled; it cannot " + control.verb + " now.");
        }
        assertThatThrownBy(() -> RollControl.RETRY.check(4, RollStatus.RUNNING)).isInstanceOf(YardmasterException.class);
    }
}
