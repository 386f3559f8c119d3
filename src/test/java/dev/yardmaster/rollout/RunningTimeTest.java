package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A roll's running time counts its RUNNING spans only: no idle time after a pause, the canary or a failure. */
class RunningTimeTest {

    static final OffsetDateTime T0 = OffsetDateTime.of(2026, 12, 3, 9, 0, 0, 0, ZoneOffset.UTC);

    static RunningTime.Change at(int minute, String status) {
        return new RunningTime.Change(status, T0.plusMinutes(minute));
    }

    @Test
    void anHourBetweenAFailureAndItsRetryIsNotCounted() {
        RunningTime t = RunningTime.of(List.of(at(0, "PENDING"), at(1, "RUNNING"), at(4, "FAILED"), at(64, "RUNNING"),
                at(66, "FAILED")), T0.plusHours(3));
        assertThat(t.closed()).isEqualTo(Duration.ofMinutes(5));
        assertThat(t.open()).isNull();
        assertThat(t.recorded()).isTrue();
    }

    @Test
    void pausedAndWaitingTimeIsNotCountedAndTheRunningSpanIsOpen() {
        RunningTime t = RunningTime.of(List.of(at(0, "RUNNING"), at(2, "WAITING"), at(30, "RUNNING"), at(31, "RUNNING"),
                at(33, "PAUSED"), at(40, "RUNNING")), T0.plusMinutes(45));
        assertThat(t.closed()).isEqualTo(Duration.ofMinutes(5));
        assertThat(t.open()).isEqualTo(Duration.ofMinutes(5));
        assertThat(t.openMillis()).isEqualTo(300_000);
    }

    @Test
    void aRollWithoutRecordedSpansSaysSo() {
        RunningTime t = RunningTime.of(List.of(at(0, "SUCCEEDED")), T0.plusMinutes(5));
        assertThat(t.recorded()).isFalse();
        assertThat(t.openMillis()).isEqualTo(-1);
    }
}
