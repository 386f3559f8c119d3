package dev.yardmaster.observability;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The safe side of the Prometheus client: no answer is never a pass. */
class PrometheusTest {

    static Prometheus at(Optional<URI> url) {
        return new Prometheus(new PrometheusConfig() {
            @Override
            public Optional<URI> url() {
                return url;
            }

            @Override
            public Duration timeout() {
                return Duration.ofMillis(500);
            }
        }, new ObjectMapper());
    }

    @Test
    void anUnreachablePrometheusIsAFailureThatSaysSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        int closed = port;
        assertThatThrownBy(() -> at(Optional.of(URI.create("http://127.0.0.1:" + closed))).query("up"))
                .isInstanceOf(Prometheus.Failure.class).hasMessageStartingWith("Prometheus at http://127.0.0.1:" + closed + " is unreachable");
    }

    @Test
    void aSilentPrometheusTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts (backlog) and never answers
            assertThatThrownBy(() -> at(Optional.of(URI.create("http://127.0.0.1:" + silent.getLocalPort()))).query("up"))
                    .isInstanceOf(Prometheus.Failure.class).hasMessageContaining("did not answer within 500 ms");
        }
    }

    @Test
    void noConfiguredPrometheusFailsEveryGate() {
        assertThatThrownBy(() -> at(Optional.empty()).query("up")).isInstanceOf(Prometheus.Failure.class)
                .hasMessage("no Prometheus is configured (yardmaster.prometheus.url)");
    }
}
