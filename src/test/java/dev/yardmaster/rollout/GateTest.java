package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A gate's validation and comparison, without Prometheus. */
class GateTest {

    static Gate gate(String query, String comparison, double threshold) {
        return new Gate(query, comparison, threshold, Duration.ofSeconds(30), Duration.ofSeconds(5))
                .validated(p -> "gate." + p, (field, message) -> new IllegalArgumentException(field + "|" + message));
    }

    @Test
    void samplesPassOnTheRightSideOfTheThreshold() {
        Gate below = gate("sum(rate(errors_total{job=\"web\"}[1m])) / sum(rate(requests_total[1m]))", "<", 0.05);
        assertThat(below.passes(0.01)).isTrue();
        assertThat(below.passes(0.05)).isFalse();
        assertThat(below.passes(Double.NaN)).isFalse();
        assertThat(gate("up", ">=", 1).passes(1)).isTrue();
        assertThat(gate("up", "==", 1).passes(0)).isFalse();
        assertThat(gate("up", "!=", 0).passes(Double.NaN)).isTrue();
        assertThat(below.condition()).endsWith(" < 0.05");
        assertThat(Gate.number(0.12134)).isEqualTo("0.1213");
        assertThat(Gate.number(Double.NaN)).isEqualTo("NaN");
        assertThat(gate("up", ">=", 1).condition()).isEqualTo("up >= 1");
    }

    @Test
    void queriesWithUnpairedBracketsOrQuotesAndUnknownComparisonsAreRefused() {
        assertThatThrownBy(() -> gate("sum(rate(x[5m])", "<", 1)).hasMessageStartingWith("gate.query|").hasMessageEndingWith(
                "'(' is not closed.");
        assertThatThrownBy(() -> gate("x{a=\"b}", "<", 1)).hasMessageEndingWith("a string opened with \" is not closed.");
        assertThatThrownBy(() -> gate("x)", "<", 1)).hasMessageEndingWith("')' at 2 closes nothing.");
        assertThatThrownBy(() -> gate("x\n", "<", 1)).hasMessageStartingWith("gate.query|");
        assertThatThrownBy(() -> gate("", "<", 1)).hasMessageStartingWith("gate.query|");
        assertThat(gate("x{a=\")\"}", "<", 1)).isNotNull();
        assertThatThrownBy(() -> gate("up", "=~", 1)).hasMessageStartingWith("gate.comparison|");
        assertThatThrownBy(() -> gate("up", "<", Double.NaN)).hasMessageStartingWith("gate.threshold|");
        assertThatThrownBy(() -> new Gate("up", "<", 1, Duration.ofHours(2), Duration.ofSeconds(1))
                .validated(p -> p, (f, m) -> new IllegalArgumentException(f))).hasMessage("hold");
        assertThatThrownBy(() -> new Gate("up", "<", 1, Duration.ZERO, Duration.ofMillis(10))
                .validated(p -> p, (f, m) -> new IllegalArgumentException(f))).hasMessage("interval");
    }
}
