package dev.yardmaster.observability;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The Prometheus server the gates between a roll's batches ask. */
@ConfigMapping(prefix = "yardmaster.prometheus")
public interface PrometheusConfig {

    /** Base URL of Prometheus's HTTP API ({@code http://prometheus:9090}); unset: every gate fails, saying so. */
    Optional<URI> url();

    /** Time limit of one query, connection included; past it the gate fails. */
    @WithDefault("5s")
    Duration timeout();
}
