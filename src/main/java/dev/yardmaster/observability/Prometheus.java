package dev.yardmaster.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Instant queries against Prometheus's HTTP API ({@code POST /api/v1/query}) with the JDK's HTTP
 * client: a connect and a request timeout, no retries (the gate asks again at its interval). Any
 * answer but a success with samples is a {@link Failure} whose message says what went wrong, so
 * a gate never passes on an error.
 */
@ApplicationScoped
public class Prometheus {

    /** One sample of a query's answer: its labels as PromQL prints them ({@code {host="a"}}) and its value. */
    public record Sample(String labels, double value) {
    }

    /** The query could not be answered: Prometheus unreachable, slow, refusing the query, or an answer we cannot read. */
    public static final class Failure extends Exception {
        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final PrometheusConfig config;
    private final ObjectMapper json;
    private final HttpClient client;

    Prometheus(PrometheusConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.client = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The samples the query returns now (a scalar is one sample without labels); never empty. */
    public List<Sample> query(String promql) throws Failure {
        URI base = config.url().orElseThrow(() -> new Failure("no Prometheus is configured (yardmaster.prometheus.url)"));
        URI uri = base.resolve(base.getPath().endsWith("/") ? "api/v1/query" : base.getPath() + "/api/v1/query");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new Failure("Prometheus at " + base + " did not answer within " + config.timeout().toMillis() + " ms");
        } catch (IOException e) {
            throw new Failure("Prometheus at " + base + " is unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while asking Prometheus");
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new Failure("Prometheus at " + base + " answered HTTP " + response.statusCode() + " without JSON");
        }
        if (!"success".equals(body.path("status").asText())) {
            throw new Failure("Prometheus refused the query (HTTP " + response.statusCode() + ", " + body.path("errorType").asText("?")
                    + "): " + body.path("error").asText("no reason given"));
        }
        JsonNode data = body.path("data");
        List<Sample> samples = new ArrayList<>();
        switch (data.path("resultType").asText()) {
            case "scalar" -> samples.add(new Sample("", value(data.path("result"))));
            case "vector" -> {
                for (JsonNode r : data.path("result")) {
                    samples.add(new Sample(labels(r.path("metric")), value(r.path("value"))));
                }
            }
            default -> throw new Failure("the query returns a " + data.path("resultType").asText("?")
                    + ", not a number or an instant vector");
        }
        if (samples.isEmpty()) {
            throw new Failure("the query returned no data");
        }
        return samples;
    }

    private static double value(JsonNode pair) throws Failure {
        try {
            // Prometheus writes infinities as +Inf and -Inf.
            return Double.parseDouble(pair.path(1).asText().replace("Inf", "Infinity"));
        } catch (NumberFormatException e) {
            throw new Failure("Prometheus answered a value that is not a number: " + pair.path(1).asText());
        }
    }

    private static String labels(JsonNode metric) {
        List<String> parts = new ArrayList<>();
        metric.fields().forEachRemaining(e -> parts.add(e.getKey() + "=\"" + e.getValue().asText() + "\""));
        return parts.isEmpty() ? "" : "{" + String.join(",", parts) + "}";
    }
}
