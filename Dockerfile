# Yardmaster container image (JVM mode), the Helm chart's default image.
#
# Build the application first, then the image (from the repository root):
#   ./mvnw -B package -DskipTests
#   docker build -t ghcr.io/yardmaster-dev/yardmaster:0.1.0 .
#
# Runs as the non-root user 185 and works with a read-only root filesystem: it writes only to
# /tmp (an emptyDir in the chart). Configuration comes from environment variables.
FROM registry.access.redhat.com/ubi9/openjdk-21-runtime:1.21

ENV LANGUAGE='en_US:en'

# The fast-jar layout from target/quarkus-app, dependencies first so they cache as a layer.
COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 target/quarkus-app/*.jar /deployments/
COPY --chown=185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/

EXPOSE 8080
USER 185
ENV JAVA_OPTS_APPEND="-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
ENV JAVA_APP_JAR="/deployments/quarkus-run.jar"

# run-java.sh execs the JVM, so SIGTERM from Kubernetes reaches Quarkus' shutdown hooks.
ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
