package dev.yardmaster.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Renders helm/yardmaster with the real Helm engine (helm-java embeds it) for the default
 * values and the value sets operators use, and checks the manifests Kubernetes would get.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm", "yardmaster");
    static final Map<String, String> REQUIRED = Map.of(
            "database.url", "jdbc:postgresql://postgres.db:5432/yardmaster",
            "database.password", "db-secret",
            "database.owner.password", "owner-secret",
            "oidc.authServerUrl", "https://sso.example.com/realms/yardmaster",
            "oidc.clientSecret", "oidc-secret",
            "repo.host", "yum.example.com");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @Test
    void defaultsRenderTwoHardenedReplicasWithProbesAndABudget() throws Exception {
        Map<String, JsonNode> manifests = render(Map.of());
        JsonNode deployment = manifests.get("Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/image").asText()).isEqualTo("ghcr.io/yardmaster/yardmaster:0.1.0");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        // Probes and the Prometheus scrape use the management port; only http is the application.
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).isEqualTo("management");
        }
        assertThat(container.at("/ports").toString()).contains("\"name\":\"management\"").contains("\"containerPort\":9000");
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText()).isEqualTo("9000");
        assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1path").asText()).isEqualTo("/q/metrics");
        assertThat(manifests.get("Service").at("/spec/ports").findValuesAsText("targetPort")).containsExactly("http", "management");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
        assertThat(manifests.get("ConfigMap").at("/data/QUARKUS_SHUTDOWN_TIMEOUT").asText()).isEqualTo("50s");
        assertThat(manifests.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertThat(manifests).doesNotContainKey("Ingress");

        // Credentials come from the chart's Secret, never from the ConfigMap.
        assertThat(envSecretRef(container, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("ym-yardmaster");
        assertThat(manifests.get("ConfigMap").toString()).doesNotContain("db-secret").doesNotContain("oidc-secret");
        assertThat(manifests.get("Secret").at("/data/database-password").asText())
                .isEqualTo(java.util.Base64.getEncoder().encodeToString("db-secret".getBytes()));
    }

    @Test
    void anExistingSecretReplacesTheChartsSecretAndCarriesTheSshKey() throws Exception {
        Map<String, String> values = new LinkedHashMap<>(REQUIRED);
        values.remove("database.password");
        values.remove("oidc.clientSecret");
        values.remove("database.owner.password");
        values.put("existingSecret", "yardmaster-credentials");
        values.put("database.owner.existingSecret", "yardmaster-owner");
        Map<String, JsonNode> manifests = render(values, true);
        assertThat(manifests).doesNotContainKey("Secret");
        JsonNode container = manifests.get("Deployment").at("/spec/template/spec/containers/0");
        assertThat(envSecretRef(container, "QUARKUS_OIDC_CREDENTIALS_SECRET")).isEqualTo("yardmaster-credentials");
        JsonNode sshVolume = manifests.get("Deployment").at("/spec/template/spec/volumes/1");
        assertThat(sshVolume.at("/secret/secretName").asText()).isEqualTo("yardmaster-credentials");
        assertThat(manifests.get("ConfigMap").at("/data/YARDMASTER_SSH_PRIVATE_KEY").asText())
                .isEqualTo("/etc/yardmaster/ssh/ssh-private-key");
    }

    @Test
    void ingressRoutesToTheServiceWithoutBufferingLiveProgress() throws Exception {
        Map<String, JsonNode> manifests = render(Map.of("ingress.enabled", "true", "ingress.host", "ym.example.com",
                "ingress.tls.enabled", "true", "ingress.tls.secretName", "ym-tls"));
        JsonNode ingress = manifests.get("Ingress");
        assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("ym.example.com");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo("ym-yardmaster");
        // Only the application port: health, metrics and the API description stay inside the cluster.
        assertThat(ingress.at("/spec/rules/0/http/paths").findValuesAsText("name")).containsOnly("ym-yardmaster", "http");
        assertThat(ingress.toString()).doesNotContain("management").doesNotContain("9000");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("ym-tls");
        assertThat(ingress.at("/metadata/annotations").toString()).contains("proxy-buffering");
    }

    @Test
    void threeReplicasKeepTheBudgetAndSpreadOverNodes() throws Exception {
        Map<String, JsonNode> manifests = render(Map.of("replicaCount", "3", "podDisruptionBudget.minAvailable", "2"));
        assertThat(manifests.get("Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(manifests.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(2);
        assertThat(manifests.get("Deployment").at("/spec/template/spec/affinity/podAntiAffinity").isMissingNode()).isFalse();
    }

    @Test
    void connectionBudgetsRenderFromValuesAndMustFitTheDatabase() throws Exception {
        JsonNode config = render(Map.of()).get("ConfigMap");
        assertThat(config.at("/data/QUARKUS_DATASOURCE_JDBC_MAX_SIZE").asText()).isEqualTo("30");
        assertThat(config.at("/data/YARDMASTER_SSH_MAX_SESSIONS").asText()).isEqualTo("200");
        assertThat(config.at("/data/YARDMASTER_ROLLS_MAX_PARALLELISM").asText()).isEqualTo("100");

        JsonNode sized = render(Map.of("replicaCount", "3", "database.maxPoolSize", "60", "database.maxConnections", "200",
                "ssh.maxSessions", "120", "rolls.maxParallelism", "50")).get("ConfigMap");
        assertThat(sized.at("/data/QUARKUS_DATASOURCE_JDBC_MAX_SIZE").asText()).isEqualTo("60");
        assertThat(sized.at("/data/YARDMASTER_SSH_MAX_SESSIONS").asText()).isEqualTo("120");
        assertThat(sized.at("/data/YARDMASTER_ROLLS_MAX_PARALLELISM").asText()).isEqualTo("50");

        assertThatThrownBy(() -> render(Map.of("replicaCount", "3", "database.maxPoolSize", "40")))
                .hasMessageContaining("replicaCount (3) x database.maxPoolSize (40) = 120 connections exceed database.maxConnections (100)");
        assertThatThrownBy(() -> render(Map.of("ssh.maxSessions", "20")))
                .hasMessageContaining("rolls.maxParallelism (100) exceeds ssh.maxSessions (20)");
    }

    @Test
    void awsThroughIrsaAnnotatesTheServiceAccountAndShipsNoKeys() throws Exception {
        Map<String, JsonNode> manifests = render(Map.of("aws.enabled", "true", "aws.region", "eu-west-1",
                "aws.irsaRoleArn", "arn:aws:iam::123456789012:role/yardmaster"));
        JsonNode account = manifests.get("ServiceAccount");
        assertThat(account.at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText())
                .isEqualTo("arn:aws:iam::123456789012:role/yardmaster");
        assertThat(account.at("/automountServiceAccountToken").asBoolean()).isTrue();
        assertThat(manifests.get("ConfigMap").at("/data/YARDMASTER_SCALING_REGION").asText()).isEqualTo("eu-west-1");
        assertThat(manifests.get("Deployment").toString()).doesNotContain("AWS_ACCESS_KEY_ID");
        assertThat(manifests.get("Secret").at("/data/aws-access-key-id").isMissingNode()).isTrue();
    }

    @Test
    void migrationsRunAsTheOwnerInAnInitContainerAndTheConsoleNeverSeesTheOwnersPassword() throws Exception {
        Map<String, JsonNode> manifests = render(Map.of("audit.checkpointKeySecret", "audit-key",
                "audit.checkpointClaim", "audit-checkpoints"));
        JsonNode pod = manifests.get("Deployment").at("/spec/template/spec");
        JsonNode migrate = pod.at("/initContainers/0");
        assertThat(migrate.at("/name").asText()).isEqualTo("migrate");
        assertThat(envSecretRef(migrate, "QUARKUS_FLYWAY_PASSWORD")).isEqualTo("ym-yardmaster-owner");
        assertThat(migrate.toString()).contains("QUARKUS_INIT_AND_EXIT").contains("\"yardmaster\"");
        JsonNode console = pod.at("/containers/0");
        assertThat(console.toString()).doesNotContain("QUARKUS_FLYWAY_PASSWORD").doesNotContain("-owner");
        JsonNode config = manifests.get("ConfigMap").at("/data");
        assertThat(config.at("/QUARKUS_DATASOURCE_USERNAME").asText()).isEqualTo("yardmaster_app");
        assertThat(config.at("/QUARKUS_FLYWAY_MIGRATE_AT_START").asText()).isEqualTo("false");
        assertThat(config.at("/YARDMASTER_AUDIT_CHECKPOINT_KEY").asText()).isEqualTo("/etc/yardmaster/audit-key/checkpoint-key.pem");
        assertThat(config.at("/YARDMASTER_AUDIT_CHECKPOINT_DIR").asText()).isEqualTo("/var/lib/yardmaster/checkpoints");
        assertThat(pod.get("volumes").toString()).contains("\"secretName\":\"audit-key\"").contains("\"claimName\":\"audit-checkpoints\"");
        assertThat(manifests.get("Secret/ym-yardmaster-owner").at("/data/database-password").asText())
                .isEqualTo(java.util.Base64.getEncoder().encodeToString("owner-secret".getBytes()));
        assertThat(manifests.get("Secret/ym-yardmaster").toString()).doesNotContain(
                java.util.Base64.getEncoder().encodeToString("owner-secret".getBytes()));
    }

    @Test
    void theConsoleMayNotRunAsTheSchemaOwner() {
        assertThatThrownBy(() -> render(Map.of("database.username", "yardmaster")))
                .hasMessageContaining("the console must run as a role that does not own the schema");
        assertThatThrownBy(() -> render(Map.of(), false, "database.owner.password"))
                .hasMessageContaining("database.owner.password is required");
    }

    @Test
    void contradictoryValuesFailWithEveryReasonAtOnce() {
        Map<String, String> values = new LinkedHashMap<>(REQUIRED);
        values.put("existingSecret", "creds");
        values.put("ingress.enabled", "true");
        values.put("aws.irsaRoleArn", "arn:aws:iam::123456789012:role/ym");
        values.put("aws.accessKeyId", "AKIA");
        values.put("aws.secretAccessKey", "x");
        assertThatThrownBy(() -> render(values, false))
                .hasMessageContaining("database.password is set inline but existingSecret is also set")
                .hasMessageContaining("ingress.host is required when ingress.enabled is true")
                .hasMessageContaining("aws.irsaRoleArn and static AWS keys")
                .hasMessageContaining("aws.accessKeyId is set inline but existingSecret is also set");
    }

    @Test
    void missingDatabaseAndABudgetThatBlocksDrainsAreRefused() {
        assertThatThrownBy(() -> render(Map.of("podDisruptionBudget.minAvailable", "2"), false, "database.url"))
                .hasMessageContaining("database.url is required")
                .hasMessageContaining("podDisruptionBudget.minAvailable (2) must be lower than replicaCount (2)");
    }

    @Test
    void theSchemaRejectsValuesOfTheWrongShape() {
        assertThatThrownBy(() -> render(Map.of("repo.mode", "ftp")))
                .hasMessageContaining("/repo/mode").hasMessageContaining("local");
    }

    @Test
    void helmLintPasses() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    private Map<String, JsonNode> render(Map<String, String> values) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(REQUIRED);
        all.putAll(values);
        return render(all, false);
    }

    private Map<String, JsonNode> render(Map<String, String> values, boolean exactValues, String... omit)
            throws Exception {
        Map<String, String> all = new LinkedHashMap<>(exactValues ? Map.of() : REQUIRED);
        all.putAll(values);
        for (String key : omit) {
            all.remove(key);
        }
        TemplateCommand template = new Helm(CHART).template().withName("ym").withNamespace("yardmaster");
        all.forEach(template::set);
        String rendered = template.call();
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(rendered)) {
            StreamSupport.stream(yaml.readValues(parser, JsonNode.class).readAll().spliterator(), false)
                    .filter(doc -> doc != null && doc.has("kind")).forEach(documents::add);
        }
        for (JsonNode doc : documents) {
            // The first of a kind under its kind (the chart's own Secret comes before the
            // owner's), every one also under kind/name.
            byKind.putIfAbsent(doc.get("kind").asText(), doc);
            byKind.put(doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
        }
        return byKind;
    }

    private static String envSecretRef(JsonNode container, String name) {
        for (JsonNode env : container.get("env")) {
            if (env.get("name").asText().equals(name)) {
                return env.at("/valueFrom/secretKeyRef/name").asText();
            }
        }
        throw new AssertionError("no env " + name);
    }
}
