package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A roll's names glob matches like the regex it replaced, without its backtracking (issue 16, reproduction 8). */
class HostGlobTest {

    @Test
    void thePathologicalPatternAnswersAtOnce() {
        String glob = "*?".repeat(10) + "x";
        String name = "web-" + "a".repeat(36);
        // A hang guard, not a speed target: the walk takes ~40 × 21 steps; the regex it
        // replaced needed 8.9 s for this input (0.7 s with 8 repetitions).
        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> HostGlob.parse(glob).matches(name));
        assertThat(matched).isFalse();
        assertThat(HostGlob.parse("*?".repeat(10)).matches(name)).isTrue();
    }

    @Test
    void globsMeanWhatTheySay() {
        assertThat(HostGlob.parse("web-*").matches("web-12")).isTrue();
        assertThat(HostGlob.parse("web-*").matches("db-1")).isFalse();
        assertThat(HostGlob.parse("web-?").matches("web-12")).isFalse();
        assertThat(HostGlob.parse("web-1,web-7").matches("web-7")).isTrue();
        assertThat(HostGlob.parse("web-1,web-7").matches("web-17")).isFalse();
        assertThat(HostGlob.parse("*.example").matches("a.example")).isTrue();
        assertThat(HostGlob.parse("a.b").matches("axb")).as("a dot is a dot").isFalse();
        assertThat(HostGlob.parse("*").matches("")).isTrue();
    }

    @Test
    void itAgreesWithTheRegexItReplacedOnRandomInputs() {
        Random random = new Random(16);
        String alphabet = "ab*?";
        for (int i = 0; i < 20_000; i++) {
            String glob = randomText(random, alphabet, 6);
            String name = randomText(random, "ab", 7);
            Pattern regex = Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"));
            assertThat(HostGlob.matches(glob, name)).as(glob + " vs " + name).isEqualTo(regex.matcher(name).matches());
        }
    }

    private static String randomText(Random random, String alphabet, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(max + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
