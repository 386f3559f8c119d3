package dev.yardmaster.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders helm/yardmaster with the real helm (helm-java) for the value sets operators use and
 * asserts on the parsed manifests; contradictory values must fail with the intended message.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm", "yardmaster");
    static final Path VALUES = Path.of("src", "test", "resources", "helm");
    static final YAMLMapper YAML = new YAMLMapper();
    /** The chart needs 1.30+ (native preStop sleep); helm's offline default is older. */
    static final String KUBE_VERSION = "1.31.0";

    @TempDir
    Path tmp;

    /** The rendered manifests by "Kind/name". */
    record Manifests(Map<String, JsonNode> byKey) {
        JsonNode get(String kind) {
            return byKey.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "/")).map(Map.Entry::getValue)
                    .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " in " + byKey.keySet()));
        }

        boolean has(String kind) {
            return byKey.keySet().stream().anyMatch(k -> k.startsWith(kind + "/"));
        }

        JsonNode container() {
            return get("Deployment").at("/spec/template/spec/containers/0");
        }

        /** Value of a ConfigMap entry or a plain env var of the container. */
        String env(String name) {
            JsonNode cm = get("ConfigMap").at("/data/" + name);
            if (!cm.isMissingNode()) {
                return cm.asText();
            }
            for (JsonNode e : container().path("env")) {
                if (e.path("name").asText().equals(name)) {
                    return e.has("value") ? e.path("value").asText() : "secret:" + e.at("/valueFrom/secretKeyRef/name").asText()
                            + "/" + e.at("/valueFrom/secretKeyRef/key").asText();
                }
            }
            return null;
        }

        String secret(String key) {
            return new String(Base64.getDecoder().decode(get("Secret").at("/data/" + key).asText()));
        }
    }

    Manifests render(String... valueFiles) throws IOException {
        TemplateCommand template = new Helm(CHART).template().withName("ym").withNamespace("release").withKubeVersion(KUBE_VERSION);
        for (String file : valueFiles) {
            template = template.withValuesFile(VALUES.resolve(file).toAbsolutePath());
        }
        return parse(template.call());
    }

    Manifests renderWith(String extraYaml, String... valueFiles) throws IOException {
        Path extra = tmp.resolve("extra-" + System.nanoTime() + ".yaml");
        Files.writeString(extra, extraYaml);
        TemplateCommand template = new Helm(CHART).template().withName("ym").withNamespace("release").withKubeVersion(KUBE_VERSION);
        for (String file : valueFiles) {
            template = template.withValuesFile(VALUES.resolve(file).toAbsolutePath());
        }
        return parse(template.withValuesFile(extra).call());
    }

    static Manifests parse(String rendered) throws IOException {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.has("kind")) {
                    byKey.put(doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
                }
            }
        }
        return new Manifests(byKey);
    }

    String renderError(String extraYaml, String... valueFiles) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> renderWith(extraYaml, valueFiles));
        assertThat(thrown).as("rendering should fail").isNotNull();
        return thrown.getMessage();
    }

    @Test
    void chartPassesHelmLint() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultsRenderTwoHardenedReplicasWithProbesAndABudget() throws IOException {
        Manifests m = render("required.yaml");

        assertThat(m.byKey().keySet()).containsExactlyInAnyOrder("ServiceAccount/ym-yardmaster", "Secret/ym-yardmaster",
                "ConfigMap/ym-yardmaster", "Service/ym-yardmaster", "Deployment/ym-yardmaster",
                "PodDisruptionBudget/ym-yardmaster");
        JsonNode deployment = m.get("Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deployment.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("yardmaster");
        assertThat(deployment.at("/spec/selector/matchLabels")).isEqualTo(m.get("Service").at("/spec/selector"))
                .isEqualTo(m.get("PodDisruptionBudget").at("/spec/selector/matchLabels"));
        assertThat(m.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);

        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(185);
        assertThat(pod.at("/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
        JsonNode c = m.container();
        assertThat(c.at("/image").asText()).isEqualTo("ghcr.io/yardmaster-dev/yardmaster:0.1.0");
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(c.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
        assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.at("/resources/requests/memory").asText()).isEqualTo("512Mi");
        assertThat(c.at("/lifecycle/preStop/sleep/seconds").asInt()).isEqualTo(5);

        // /tmp is the only writable place; the SSH key and known_hosts are files from the Secret.
        assertThat(mountPaths(c)).containsEntry("tmp", "/tmp").containsEntry("ssh", "/etc/yardmaster/ssh");
        assertThat(pod.at("/volumes/0/emptyDir").isObject()).isTrue();
        JsonNode sshVolume = pod.at("/volumes/1/secret");
        assertThat(sshVolume.at("/secretName").asText()).isEqualTo("ym-yardmaster");
        assertThat(sshVolume.at("/defaultMode").asInt()).isEqualTo(0440);
        assertThat(sshVolume.at("/items/0/path").asText()).isEqualTo("id_yardmaster");
        assertThat(m.env("YARDMASTER_SSH_PRIVATE_KEY")).isEqualTo("/etc/yardmaster/ssh/id_yardmaster");
        assertThat(m.env("YARDMASTER_SSH_KNOWN_HOSTS")).isEqualTo("/etc/yardmaster/ssh/known_hosts");
        assertThat(m.secret("ssh-private-key")).contains("BEGIN OPENSSH PRIVATE KEY");

        // External PostgreSQL and Keycloak; secrets only through secretKeyRef.
        assertThat(m.env("QUARKUS_DATASOURCE_JDBC_URL")).isEqualTo("jdbc:postgresql://postgres.db.svc:5432/yardmaster");
        assertThat(m.env("QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("secret:ym-yardmaster/db-password");
        assertThat(m.env("QUARKUS_OIDC_CREDENTIALS_SECRET")).isEqualTo("secret:ym-yardmaster/oidc-client-secret");
        assertThat(m.secret("db-password")).isEqualTo("s3cret");
        assertThat(m.get("ConfigMap").toString()).doesNotContain("s3cret");
        assertThat(m.env("QUARKUS_OIDC_AUTH_SERVER_URL")).isEqualTo("https://sso.example.com/realms/yardmaster");
        assertThat(m.env("AWS_ACCESS_KEY_ID")).isNull();

        // Quarkus gets the grace period minus the preStop sleep and a margin.
        assertThat(m.env("QUARKUS_SHUTDOWN_TIMEOUT")).isEqualTo("45s");
        assertThat(m.env("QUARKUS_LOG_CONSOLE_JSON_ENABLED")).isEqualTo("true");
        assertThat(deployment.at("/spec/template/metadata/annotations/checksum~1secret").asText()).hasSize(64);
        assertThat(m.has("Ingress")).isFalse();
    }

    @Test
    void existingSecretReplacesTheChartSecret() throws IOException {
        Manifests m = render("existing-secret.yaml");

        assertThat(m.has("Secret")).isFalse();
        assertThat(m.env("QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("secret:yardmaster-credentials/db-password");
        assertThat(m.env("QUARKUS_OIDC_CREDENTIALS_SECRET")).isEqualTo("secret:yardmaster-credentials/oidc-client-secret");
        assertThat(m.get("Deployment").at("/spec/template/spec/volumes/1/secret/secretName").asText())
                .isEqualTo("yardmaster-credentials");
        assertThat(m.env("QUARKUS_DATASOURCE_JDBC_URL"))
                .isEqualTo("jdbc:postgresql://postgres.db.svc:5432/yardmaster?sslmode=require");
        // Static AWS keys may live in the existing secret; absent keys leave the SDK's default chain.
        JsonNode awsKey = envNamed(m.container(), "AWS_ACCESS_KEY_ID");
        assertThat(awsKey.at("/valueFrom/secretKeyRef/optional").asBoolean()).isTrue();
    }

    @Test
    void ingressRoutesTheHostToTheServiceWithTls() throws IOException {
        Manifests m = render("required.yaml", "ingress.yaml");

        JsonNode ingress = m.get("Ingress");
        assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
        assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("yardmaster.example.com");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo("ym-yardmaster");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/port/name").asText()).isEqualTo("http");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("ym-yardmaster-tls");
        assertThat(ingress.at("/metadata/annotations/cert-manager.io~1cluster-issuer").asText()).isEqualTo("letsencrypt");
        assertThat(m.env("QUARKUS_HTTP_PROXY_ENABLE_FORWARDED_HOST")).isEqualTo("true");
    }

    @Test
    void threeReplicasKeepTwoThroughDisruptionsAndPassExtraSettings() throws IOException {
        Manifests m = render("required.yaml", "replicas-3.yaml");

        assertThat(m.get("Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(m.get("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(2);
        assertThat(m.get("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(120);
        assertThat(m.env("QUARKUS_SHUTDOWN_TIMEOUT")).isEqualTo("105s");
        assertThat(m.env("YARDMASTER_LIFECYCLE_ENVIRONMENTS")).isEqualTo("review,staging,prod");
        assertThat(m.env("QUARKUS_LOG_CATEGORY__ORG_APACHE_SSHD__LEVEL")).isEqualTo("INFO");
    }

    @Test
    void irsaAnnotatesTheServiceAccountAndSetsNoStaticKeys() throws IOException {
        Manifests m = render("required.yaml", "aws-irsa.yaml");

        assertThat(m.get("ServiceAccount").at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText())
                .isEqualTo("arn:aws:iam::123456789012:role/yardmaster");
        assertThat(m.get("Deployment").at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("ym-yardmaster");
        assertThat(m.env("AWS_REGION")).isEqualTo("eu-west-1");
        assertThat(m.env("AWS_ACCESS_KEY_ID")).isNull();
        assertThat(m.get("Secret").has("aws-access-key-id")).isFalse();
        assertThat(m.get("Secret").at("/data").has("aws-access-key-id")).isFalse();
    }

    @Test
    void staticAwsKeysGoIntoTheSecret() throws IOException {
        Manifests m = render("required.yaml", "aws-static.yaml");

        assertThat(m.secret("aws-access-key-id")).isEqualTo("AKIAEXAMPLE");
        assertThat(m.env("AWS_SECRET_ACCESS_KEY")).isEqualTo("secret:ym-yardmaster/aws-secret-access-key");
        assertThat(envNamed(m.container(), "AWS_SECRET_ACCESS_KEY").at("/valueFrom/secretKeyRef/optional").asBoolean())
                .isFalse();
        assertThat(m.get("ServiceAccount").at("/metadata/annotations").isMissingNode()).isTrue();
    }

    @Test
    void existingSecretWithAnInlinePasswordIsRefused() {
        assertThat(renderError("database:\n  password: also-inline\n", "existing-secret.yaml"))
                .contains("existingSecret (yardmaster-credentials) and database.password are both set");
    }

    @Test
    void ingressWithoutHostIsRefused() {
        assertThat(renderError("ingress:\n  enabled: true\n", "required.yaml"))
                .contains("ingress.enabled is true but ingress.host is empty");
    }

    @Test
    void staticKeysTogetherWithIrsaAreRefused() {
        assertThat(renderError("aws:\n  accessKeyId: AKIA\n  secretAccessKey: x\n", "required.yaml", "aws-irsa.yaml"))
                .contains("aws.accessKeyId/aws.secretAccessKey and aws.irsa.roleArn are both set");
    }

    @Test
    void severalReplicasOnAnInMemoryDatabaseAreRefused() {
        assertThat(renderError("database:\n  jdbcUrl: jdbc:h2:mem:yardmaster\n", "required.yaml"))
                .contains("replicaCount is 2 but database.jdbcUrl is an in-memory database");
    }

    @Test
    void aBudgetThatBlocksEveryDrainIsRefused() {
        assertThat(renderError("replicaCount: 2\npodDisruptionBudget:\n  minAvailable: 2\n", "required.yaml"))
                .contains("podDisruptionBudget.minAvailable (2) must be below replicaCount (2)");
    }

    @Test
    void aGracePeriodTooShortToHandRollsOverIsRefused() {
        assertThat(renderError("terminationGracePeriodSeconds: 10\n", "required.yaml"))
                .contains("terminationGracePeriodSeconds (10) must exceed shutdown.preStopSleepSeconds + shutdown.marginSeconds (15)");
    }

    @Test
    void missingDatabaseAndCredentialsAreAllListedAtOnce() {
        String message = renderError("{}\n");
        assertThat(message).contains("database.password is empty", "oidc.clientSecret is empty",
                "ssh.privateKey and ssh.knownHosts are both required", "database.host is empty",
                "oidc.authServerUrl is empty");
    }

    @Test
    void theSchemaRejectsValuesOfTheWrongShape() {
        assertThat(renderError("replicaCount: 0\n", "required.yaml")).contains("replicaCount");
        assertThat(renderError("aws:\n  irsa:\n    roleArn: not-an-arn\n", "required.yaml")).contains("roleArn");
        assertThat(renderError("databse:\n  host: typo\n", "required.yaml")).contains("databse");
    }

    @Test
    void theDockerfileBuildsTheChartsDefaultImageAsNonRoot() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/", "USER 185",
                "EXPOSE 8080", "quarkus-run.jar");
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        assertThat(values.at("/podSecurityContext/runAsUser").asInt()).isEqualTo(185);
        assertThat(Files.readString(Path.of(".dockerignore"))).contains("!target/quarkus-app/");
    }

    static Map<String, String> mountPaths(JsonNode container) {
        Map<String, String> paths = new LinkedHashMap<>();
        container.path("volumeMounts").forEach(v -> paths.put(v.path("name").asText(), v.path("mountPath").asText()));
        return paths;
    }

    static JsonNode envNamed(JsonNode container, String name) {
        List<JsonNode> found = new ArrayList<>();
        container.path("env").forEach(e -> {
            if (e.path("name").asText().equals(name)) {
                found.add(e);
            }
        });
        assertThat(found).as("env " + name).hasSize(1);
        return found.get(0);
    }
}
