# Yardmaster, JVM mode. Build the application first (./mvnw -B package -DskipTests), then:
#   docker build -t ghcr.io/yardmaster/yardmaster:0.1.0 .
# The image runs as an unprivileged user and works with a read-only root file system
# (the Helm chart mounts an emptyDir on /tmp).
FROM eclipse-temurin:21-jre-noble

RUN groupadd --system --gid 10001 yardmaster \
 && useradd --system --uid 10001 --gid yardmaster --home-dir /deployments --shell /usr/sbin/nologin yardmaster \
 && apt-get update \
 && apt-get install -y --no-install-recommends util-linux createrepo-c \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /deployments
COPY --chown=10001:10001 target/quarkus-app/lib/ lib/
COPY --chown=10001:10001 target/quarkus-app/*.jar ./
COPY --chown=10001:10001 target/quarkus-app/app/ app/
COPY --chown=10001:10001 target/quarkus-app/quarkus/ quarkus/

USER 10001
EXPOSE 8080
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx"
# exec: the JVM is PID 1's only child-free process and receives SIGTERM for graceful hand-over.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
