package dev.yardmaster.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one rule for telling people apart, without Quarkus. */
class PeopleTest {

    @Test
    void namesDifferingOnlyInCaseOrSpacesAreOnePerson() {
        assertThat(People.same("Bob", "bob")).isTrue();
        assertThat(People.same(" BOB ", "bob")).isTrue();
        assertThat(People.same("bob", "bobby")).isFalse();
        assertThat(People.same(null, null)).isFalse();
    }

    @Test
    void aBotRequestForBobAndBobsOwnDecisionOverlap() {
        assertThat(People.overlap(People.behind("bob", null), People.behind("release-bot", "Bob"))).isTrue();
        assertThat(People.overlap(People.behind("release-bot", "dave"), People.behind("release-bot", "bob")))
                .as("the same bot on both sides is one principal").isTrue();
        assertThat(People.overlap(People.behind("release-bot", "dave"), People.behind("bob", null))).isFalse();
    }
}
