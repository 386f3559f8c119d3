package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runner's pure rules, without a database. */
class RollRunnerTest {

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
}
