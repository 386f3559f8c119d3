package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The HTTP check's template and pattern rules, without a host: what reaches the host's script must be plain. */
class HttpCheckTest {

    static HttpCheck check(String url, String body) {
        return new HttpCheck(url, 8080, 200, body, Duration.ofSeconds(2), 1);
    }

    static HttpCheck valid(String url, String body) {
        return check(url, body).validated(p -> "health." + p, (field, message) -> new IllegalArgumentException(field + "|" + message));
    }

    @Test
    void aTemplateIsFilledPerHostIntoOnePlainToken() {
        HttpCheck c = valid("http://{address}:{port}/{service}/healthz", "^ok [0-9]+");
        assertThat(c.url("web-1", "10.0.0.7", "flingerator", "flingerator")).isEqualTo("http://10.0.0.7:8080/flingerator/healthz");
        assertThat(valid("https://{host}/health", null).url("web-1.example.com", "10.0.0.7", "s", "p"))
                .isEqualTo("https://web-1.example.com/health");
        assertThat(valid("http://localhost:9000/", null).url("a", "b", "c", "d")).isEqualTo("http://localhost:9000/");
        assertThat(c.maxTimeSeconds()).isEqualTo("2.000");
    }

    @Test
    void templatesThatCouldCarryShellTextOrAreNotUrlsAreRefusedNamingTheField() {
        for (String bad : new String[] {"http://{address}/h?x=1", "http://{address}/$(reboot)", "http://{address}/a b",
                "http://{address}/'x'", "http://{address}/`id`", "http://{address}/\"", "http://{nope}/", "file:///etc/passwd",
                "http://a;b/", "http://{address}:{service}/", "http://{address}:0/", "", "http://{address}/a\\b"}) {
            assertThatThrownBy(() -> valid(bad, null)).as(bad).hasMessageStartingWith("health.url|health.url");
        }
    }

    @Test
    void bodyPatternsHoldNoCharacterAShellReadsInDoubleQuotes() {
        assertThat(valid("http://{address}/", "ok (flingerator|gnip-worker) [0-9.]+").body()).isNotNull();
        for (String bad : new String[] {"ok$", "a\"b", "`id`", "a\\.b", "it's", "a[", "x\ny"}) {
            assertThatThrownBy(() -> valid("http://{address}/", bad)).as(bad).hasMessageStartingWith("health.body|");
        }
    }

    @Test
    void statusTimeoutAndRetriesHaveBounds() {
        assertThatThrownBy(() -> new HttpCheck("http://{address}/", 80, 99, null, Duration.ofSeconds(1), 0)
                .validated(p -> p, (f, m) -> new IllegalArgumentException(f))).hasMessage("status");
        assertThatThrownBy(() -> new HttpCheck("http://{address}/", 80, 200, null, Duration.ofMinutes(5), 0)
                .validated(p -> p, (f, m) -> new IllegalArgumentException(f))).hasMessage("timeout");
        assertThatThrownBy(() -> new HttpCheck("http://{address}/", 80, 200, null, Duration.ofSeconds(1), 11)
                .validated(p -> p, (f, m) -> new IllegalArgumentException(f))).hasMessage("retries");
    }

    @Test
    void aFilledValueThatIsNotPlainIsRefusedAtItsHost() {
        assertThatThrownBy(() -> valid("http://{address}/", null).url("h", "::1", "s", "p"))
                .hasMessageContaining("IPv6");
    }
}
