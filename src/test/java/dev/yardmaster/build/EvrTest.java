package dev.yardmaster.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Our version order agrees with rpm's own rpm.vercmp on pairs that trip up naive sorting. */
class EvrTest {

    static final String[][] PAIRS = {
        {"1.0", "1.0"}, {"1.0", "2.0"}, {"2.0.1", "2.0"}, {"1.10", "1.9"}, {"1.010", "1.10"}, {"1.001", "1.1"},
        {"1.0a", "1.0"}, {"1.0a", "1.0b"}, {"1.0", "1.0.0"}, {"a", "1"}, {"1.0~rc1", "1.0"}, {"1.0~rc1", "1.0~rc2"},
        {"1.0~rc1", "1.0~"}, {"1.0^", "1.0"}, {"1.0^git1", "1.0"}, {"1.0^git1", "1.0.1"}, {"1.0^git1", "1.0^git2"},
        {"1.0^git1~pre", "1.0^git1"}, {"1.0~rc1^git1", "1.0~rc1"}, {"5.5p1", "5.5p10"}, {"5.5p1", "5.5.p1"},
        {"10xyz", "10.1xyz"}, {"xyz10", "xyz10.1"}, {"1_0", "1.0"}, {"1..0", "1.0"}, {"2.0a", "2.0.a"},
        {"fc4", "fc.4"}, {"FC5", "fc4"}, {"6.0.rc1", "6.0"}, {"1.0-1", "1.0-2"}, {"0001", "1"},
    };

    @Test
    void agreesWithRpmOnTrickyPairs() throws Exception {
        List<String> mismatches = new ArrayList<>();
        StringBuilder lua = new StringBuilder("%{lua:");
        for (String[] pair : PAIRS) {
            lua.append("print(rpm.vercmp('").append(pair[0]).append("','").append(pair[1]).append("'));print(' ');");
        }
        lua.append("}");
        Process p = new ProcessBuilder("rpm", "--eval", lua.toString()).redirectErrorStream(true).start();
        String[] answers = new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(answers).as("rpm answered for every pair").hasSize(PAIRS.length);
        for (int k = 0; k < PAIRS.length; k++) {
            int expected = Integer.signum(Integer.parseInt(answers[k]));
            int ours = Evr.vercmp(PAIRS[k][0], PAIRS[k][1]);
            int reverse = Evr.vercmp(PAIRS[k][1], PAIRS[k][0]);
            if (ours != expected || reverse != -expected) {
                mismatches.add(PAIRS[k][0] + " vs " + PAIRS[k][1] + ": rpm " + expected + ", ours " + ours + "/" + reverse);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void epochBeatsVersionAndReleaseBreaksTies() {
        assertThat(Evr.parse("1:0.1-1")).isGreaterThan(Evr.parse("9.9-9"));
        assertThat(Evr.parse("1.0-10")).isGreaterThan(Evr.parse("1.0-9"));
        assertThat(Evr.parse("2:1.0-1").toString()).isEqualTo("2:1.0-1");
    }

    @Test
    void theSortKeyOrdersAsRpmDoesOnRandomVersions() {
        java.util.Random random = new java.util.Random(20);
        String alphabet = "0019aZb.~^_-";
        List<String> mismatches = new ArrayList<>();
        List<String[]> pairs = new ArrayList<>(java.util.Arrays.asList(PAIRS));
        for (int n = 0; n < 50_000; n++) {
            pairs.add(new String[] {randomVersion(random, alphabet), randomVersion(random, alphabet)});
        }
        for (String[] pair : pairs) {
            for (int epoch : new int[] {0, 1}) {
                Evr a = new Evr(epoch, pair[0], "1");
                Evr b = new Evr(0, pair[1], "1");
                Evr c = new Evr(0, "1", pair[0]);
                Evr d = new Evr(0, "1", pair[1]);
                if (Integer.signum(a.compareTo(b)) != Integer.signum(java.util.Arrays.compareUnsigned(a.sortKey(), b.sortKey()))
                        || Integer.signum(c.compareTo(d)) != Integer.signum(java.util.Arrays.compareUnsigned(c.sortKey(), d.sortKey()))) {
                    mismatches.add(epoch + ":" + pair[0] + " vs " + pair[1]);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(java.util.Arrays.compareUnsigned(new Evr(0, "1.0", "300").sortKey(), new Evr(0, "1.0", "299").sortKey()))
                .isPositive();
    }

    private static String randomVersion(java.util.Random random, String alphabet) {
        StringBuilder text = new StringBuilder();
        for (int k = random.nextInt(7); k > 0; k--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
