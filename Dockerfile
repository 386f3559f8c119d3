# Yardmaster, JVM mode. Build the application first (./mvnw -B package -DskipTests), then:
#   docker build -t ghcr.io/yardmaster/yardmaster:0.1.0 .
# The image runs as an unprivileged user and works with a read-only root file system
# (the Helm chart mounts an emptyDir on /tmp).
# JDK 25: the image makes its own Leyden AOT cache below, with the JVM that will run it.
FROM eclipse-temurin:25-jre-noble

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

# C1 only (-XX:TieredStopAtLevel=1), as bin/lib/common.sh says why: C2 kept compiling for several
# rolls and took 30 % of the JVM's CPU in each; with C1 a 200-host roll used 4.6 instead of 8 CPU-s.
ENV JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx"
# A start-up cache (classes loaded and linked ahead of time, JEP 483/514) from a start that
# stops after static initialisation (quarkus.appcds.generate: no database or Keycloak needed).
# It must come from this image's JVM, so it is made here rather than copied from the build:
# on 2 cores with this JAVA_OPTS the console started in 3.3 s with it, 4.6-4.7 s without.
# A JVM that cannot use it starts without it. Made as root: the files stay read-only.
RUN cd /deployments && java $JAVA_OPTS -XX:AOTCacheOutput=/deployments/app.aot -Dquarkus.appcds.generate=true \
      -jar /deployments/quarkus-run.jar
USER 10001
# 8080: the application; 9000: the management interface (health, metrics, OpenAPI), in-cluster only.
EXPOSE 8080 9000
# exec: the JVM is PID 1's only child-free process and receives SIGTERM for graceful hand-over.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -XX:AOTCache=/deployments/app.aot -Xlog:aot=error,aot+codecache*=error -jar /deployments/quarkus-run.jar"]
