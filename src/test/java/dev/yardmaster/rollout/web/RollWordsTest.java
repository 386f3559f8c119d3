package dev.yardmaster.rollout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.RollStatus;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/** The roll page's words come from the enums: plain sentences, no doubled status, worst hosts first. */
class RollWordsTest {

    @Test
    void aPausedRollReadsPausedByBobOnce() {
        RollWords.Said said = RollWords.said(RollStatus.PAUSED, "paused by bob");
        assertThat(said.label() + " " + said.reason()).isEqualTo("Paused by bob");
        assertThat(RollWords.said(RollStatus.CANCELED, "canceled by bob (running hosts interrupted)").reason())
                .isEqualTo("by bob (running hosts interrupted)");
        assertThat(RollWords.said(RollStatus.FAILED, "failure budget spent").reason()).isEqualTo("failure budget spent");
        assertThat(RollWords.said(RollStatus.SUCCEEDED, null).reason()).isEmpty();
    }

    @Test
    void controlsSayWhatHappenedInPlainSentences() {
        assertThat(RollWords.done(3, "continue")).isEqualTo("Roll 3 continues after its canary.");
        assertThat(RollWords.done(3, "resume")).isEqualTo("Roll 3 resumes.");
        assertThat(RollWords.done(3, "pause")).startsWith("Roll 3 is paused");
        for (String action : new String[] { "pause", "resume", "continue", "cancel", "interrupt", "retry" }) {
            assertThat(RollWords.done(7, action)).doesNotContain(" done.").doesNotContain(action + " done");
        }
    }

    @Test
    void everyStatusHasALabelAndFailuresRankFirst() {
        assertThat(RollWords.rollStates()).hasSize(RollStatus.values().length);
        assertThat(RollWords.rollStates().get("PAUSED").label()).isEqualTo("Paused");
        assertThat(RollWords.rollStates().get("FAILED").complete()).isTrue();
        var worst = RollWords.hostStates().stream().sorted(Comparator.comparingInt(RollWords.HostState::rank)).toList();
        assertThat(worst.get(0).kind()).isEqualTo("failure");
        assertThat(worst.stream().filter(s -> s.kind().equals("unreachable")).map(RollWords.HostState::name))
                .containsExactly(HostStatus.UNREACHABLE.name());
        assertThat(RollWords.label(HostStatus.HOST_KEY_CHANGED)).isEqualTo("Host key changed");
    }

    @Test
    void controlsFollowRollControlsEdges() {
        RollWords.Controls failed = RollWords.Controls.of(RollStatus.FAILED, 2);
        assertThat(failed.pause().allowed()).isFalse();
        assertThat(failed.retry().allowed()).isTrue();
        RollWords.Controls clean = RollWords.Controls.of(RollStatus.SUCCEEDED, 0);
        assertThat(clean.retry().allowed()).as("nothing to retry: no button that can only fail").isFalse();
        assertThat(clean.none()).isTrue();
        RollWords.Controls waiting = RollWords.Controls.of(RollStatus.WAITING, 0);
        assertThat(waiting.proceed().allowed()).isTrue();
        assertThat(waiting.resume().allowed()).isFalse();
        assertThat(waiting.cancel().from()).contains("PAUSED");
    }
}
