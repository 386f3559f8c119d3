package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.rollout.runner.HostStep;
import dev.yardmaster.ssh.RemoteCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host script's decisions, run by the real {@code sh} on this machine with stand-ins for
 * rpm, sudo, yum and systemctl on its PATH: which steps run in each case, and that the script
 * reads rpm's answer (epoch, arch) the way the runner does. The roll tests run it over SSH on
 * the loopback fleet.
 */
class HostScriptTest {

    static final String NONCE = "0123456789abcdef";

    @TempDir
    Path dir;
    Path state;

    @BeforeEach
    void standIns() throws IOException {
        state = Files.createDirectories(dir.resolve("state"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        tool(bin, "rpm", "case \"$*\" in *INSTALLTIME*) cat \"$STATE/installtime\"; exit;; esac; "
                + "if [ -f \"$STATE/installed\" ]; then cat \"$STATE/installed\"; else echo \"package flingerator is not installed\"; exit 1; fi");
        tool(bin, "sudo", "while [ \"$1\" = -n ]; do shift; done; exec \"$@\"");
        // update: to the repo's newest ($STATE/next), never down; install NAME-EVR: exactly that, up or down (dnf).
        tool(bin, "yum", "echo yum \"$@\"; if [ -f \"$STATE/yum-fail\" ]; then echo 'Error: no repo' >&2; exit 1; fi; "
                + "for a; do last=$a; done; case \" $* \" in *' install '*) echo \"$last.noarch\" > \"$STATE/installed\";; "
                + "*) cp \"$STATE/next\" \"$STATE/installed\";; esac");
        // curl -sS -o FILE -w "%{http_code}" --max-time T URL: the body from $STATE/body, the status from $STATE/status.
        tool(bin, "curl", "out=; while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; -w|--max-time) shift;; esac; shift; done; "
                + "echo x >> \"$STATE/curls\"; cat \"$STATE/body\" > \"$out\"; cat \"$STATE/status\"");
        tool(bin, "systemctl", "case $1 in restart) echo x >> \"$STATE/restarts\";; is-active) [ -f \"$STATE/down\" ] && { echo failed; exit 3; }; echo active;; "
                + "show) cat \"$STATE/started\" 2>/dev/null;; esac");
    }

    private void tool(Path bin, String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, List<String> marks, String output, int restarts) {
    }

    private Run run(String target, HostScript.AtTarget atTarget) throws Exception {
        return run(target, atTarget, true);
    }

    /** {@code exact}: the runner's update path, with the exact install after an update that missed the target. */
    private Run run(String target, HostScript.AtTarget atTarget, boolean exact) throws Exception {
        return run(target, atTarget, exact, null);
    }

    private Run run(String target, HostScript.AtTarget atTarget, boolean exact, HostScript.HttpProbe http) throws Exception {
        RemoteCommand script = HostScript.build("flingerator", target, NONCE, "flingerator",
                RemoteCommand.of("sudo", "-n", "yum", "-y", "update", "flingerator"),
                exact ? RemoteCommand.of("sudo", "-n", "yum", "-y", "install", "flingerator-" + target) : null,
                RemoteCommand.of("sudo", "-n", "systemctl", "restart", "flingerator"),
                RemoteCommand.of("systemctl", "is-active", "flingerator"), atTarget, http);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script.commandLine()).redirectErrorStream(true);
        pb.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        pb.environment().put("STATE", state.toString());
        Process p = pb.start(); // stdin stays open, as an SSH channel's does until it closes
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        p.getOutputStream().close();
        List<String> marks = out.lines().map(l -> HostStep.of(l, NONCE)).filter(m -> m != null).map(HostStep::word).toList();
        Path restarts = state.resolve("restarts");
        int n = Files.exists(restarts) ? Files.readAllLines(restarts).size() : 0;
        return new Run(p.exitValue(), marks, out, n);
    }

    private void installed(String nevra) throws IOException {
        Files.writeString(state.resolve("installed"), nevra + "\n");
    }

    private HostScript.HttpProbe probe(String body, int retries) {
        HttpCheck check = new HttpCheck("http://{address}:{port}/healthz", 8080, 200, body, java.time.Duration.ofSeconds(1), retries)
                .validated(p -> p, (f, m) -> new IllegalArgumentException(m));
        return new HostScript.HttpProbe(check.url("web-1", "10.0.0.7", "flingerator", "flingerator"), check);
    }

    @Test
    void theHttpCheckFollowsTheCommandCheckAndItsLastLineSaysWhyItFailed() throws Exception {
        installed("flingerator-1.1.0-1.noarch");
        Files.writeString(state.resolve("next"), "flingerator-1.2.0-1.noarch\n");
        Files.writeString(state.resolve("status"), "500");
        Files.writeString(state.resolve("body"), "starting\nerror: no database\n");
        Run failed = run("1.2.0-1", HostScript.AtTarget.STOP, true, probe(null, 1));
        assertThat(failed.marks()).containsExactly("check", "update", "verify", "restart", "health");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(Files.readAllLines(state.resolve("curls"))).as("one try and one retry").hasSize(2);
        assertThat(failed.output().strip().lines().toList()).last()
                .isEqualTo("HTTP 500 from http://10.0.0.7:8080/healthz, expected 200: error: no database");

        // A body pattern full of characters a shell would read outside double quotes reaches grep as one word.
        Files.writeString(state.resolve("status"), "200");
        Files.writeString(state.resolve("body"), "ok flingerator 1.2.0-1 & ready; #1\n");
        Run passed = run("1.2.0-1", HostScript.AtTarget.HEALTH, true, probe("^ok (flingerator|gnip) [0-9.]+-1 & ready; #[0-9]", 0));
        assertThat(passed.exit()).as(passed.output()).isZero();
        assertThat(passed.output()).contains("HTTP 200 from http://10.0.0.7:8080/healthz");

        Run mismatch = run("1.2.0-1", HostScript.AtTarget.HEALTH, true, probe("^ready", 0));
        assertThat(mismatch.exit()).isEqualTo(1);
        assertThat(mismatch.output()).contains("HTTP 200 from http://10.0.0.7:8080/healthz but no line matches ^ready: ok flingerator");

        // The command check first: a unit that is not active never gets asked over HTTP.
        Files.writeString(state.resolve("down"), "");
        Files.delete(state.resolve("curls"));
        Run down = run("1.2.0-1", HostScript.AtTarget.HEALTH, true, probe(null, 0));
        assertThat(down.exit()).isEqualTo(3);
        assertThat(state.resolve("curls")).doesNotExist();
    }

    @Test
    void anOldVersionIsUpdatedVerifiedRestartedAndChecked() throws Exception {
        installed("flingerator-1.1.0-1.noarch");
        Files.writeString(state.resolve("next"), "flingerator-1.2.0-1.noarch\n");
        Run r = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(r.marks()).containsExactly("check", "update", "verify", "restart", "health");
        assertThat(r.exit()).isZero();
        assertThat(r.restarts()).isEqualTo(1);
        assertThat(r.output()).contains("yum -y update flingerator", "active");
    }

    @Test
    void aHostAtTheTargetIsLeftAloneWithEpochAndArchReadAsTheRunnerReadsThem() throws Exception {
        installed("flingerator-3:2.0-1.el9.x86_64");
        Run r = run("3:2.0-1.el9", HostScript.AtTarget.STOP);
        assertThat(r.marks()).containsExactly("check", "at-target");
        assertThat(r.exit()).isZero();
        assertThat(r.restarts()).isZero();
        assertThat(HostScript.installed("flingerator", List.of("flingerator-3:2.0-1.el9.x86_64"))).isEqualTo("3:2.0-1.el9");
        // An explicit epoch 0 is no epoch, as in the catalog.
        installed("flingerator-0:2.0-1.noarch");
        assertThat(run("2.0-1", HostScript.AtTarget.STOP).marks()).containsExactly("check", "at-target");
        assertThat(HostScript.installed("flingerator", List.of("flingerator-0:2.0-1.noarch"))).isEqualTo("2.0-1");
        // The same version without its epoch is not the target.
        installed("flingerator-2.0-1.el9.x86_64");
        Files.writeString(state.resolve("next"), "flingerator-2.0-1.el9.x86_64\n");
        Run other = run("3:2.0-1.el9", HostScript.AtTarget.STOP, false);
        assertThat(other.marks()).containsExactly("check", "update", "verify");
        assertThat(other.exit()).isEqualTo(HostScript.NOT_AT_TARGET);
    }

    @Test
    void aRollbackTheUpdateCannotReachInstallsTheExactBuild() throws Exception {
        // The host runs 1.3.0-1; 1.2.0-1 was promoted back. yum update leaves 1.3.0-1 alone.
        installed("flingerator-1.3.0-1.noarch");
        Files.writeString(state.resolve("next"), "flingerator-1.3.0-1.noarch\n");
        Run r = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(r.marks()).containsExactly("check", "update", "verify", "install", "verify", "restart", "health");
        assertThat(r.output()).contains("yum -y update flingerator", "yum -y install flingerator-1.2.0-1");
        assertThat(r.exit()).isZero();
        assertThat(r.restarts()).isEqualTo(1);
        assertThat(Files.readString(state.resolve("installed")).strip()).isEqualTo("flingerator-1.2.0-1.noarch");
        // An install that does not reach the target either stops before the restart.
        installed("flingerator-1.3.0-1.noarch");
        Path bin = dir.resolve("bin");
        tool(bin, "yum", "echo yum \"$@\"");
        Run stuck = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(stuck.marks()).containsExactly("check", "update", "verify", "install", "verify");
        assertThat(stuck.exit()).isEqualTo(HostScript.NOT_AT_TARGET);
        assertThat(stuck.restarts()).isEqualTo(1);
    }

    @Test
    void aHostAtTheTargetAfterAnEarlierAttemptIsRestartedUnlessItsServiceStartedAfterTheInstall() throws Exception {
        installed("flingerator-1.2.0-1.noarch");
        Files.writeString(state.resolve("installtime"), "1764755000\n");
        Files.writeString(state.resolve("started"), "Wed 2025-12-03 09:43:19 UTC\n"); // 1764754999: before the install
        Run restart = run("1.2.0-1", HostScript.AtTarget.CHECK);
        assertThat(restart.marks()).containsExactly("check", "at-target", "restart", "health");
        assertThat(restart.restarts()).isEqualTo(1);
        Files.writeString(state.resolve("started"), "Wed 2025-12-03 09:43:20 UTC\n"); // the install's second: restarted
        Run done = run("1.2.0-1", HostScript.AtTarget.CHECK);
        assertThat(done.marks()).containsExactly("check", "at-target", "restart-done", "health");
        assertThat(done.restarts()).as("not restarted again").isEqualTo(1);
        Files.delete(state.resolve("started")); // unreadable: restart, at least once
        assertThat(run("1.2.0-1", HostScript.AtTarget.CHECK).marks()).contains("restart");
        Run health = run("1.2.0-1", HostScript.AtTarget.HEALTH);
        assertThat(health.marks()).containsExactly("check", "at-target", "health");
        assertThat(health.restarts()).as("the unreadable case restarted once more; the health-only run did not").isEqualTo(2);
    }

    @Test
    void aFailedUpdateStopsBeforeTheRestartWithYumsStatus() throws Exception {
        installed("flingerator-1.1.0-1.noarch");
        Files.writeString(state.resolve("yum-fail"), "");
        Run r = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(r.marks()).containsExactly("check", "update");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("Error: no repo");
        assertThat(r.restarts()).isZero();
    }

    @Test
    void aNotInstalledPackageIsInstalledAndAFailedHealthCheckIsTheExitStatus() throws Exception {
        Files.writeString(state.resolve("next"), "flingerator-1.2.0-1.noarch\n");
        Files.writeString(state.resolve("down"), "");
        Run r = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(r.output()).contains("package flingerator is not installed");
        assertThat(r.marks()).containsExactly("check", "update", "verify", "restart", "health");
        assertThat(r.exit()).isEqualTo(3);
    }

    @Test
    void closingStdinEndsTheRunningCommand() throws Exception {
        installed("flingerator-1.1.0-1.noarch");
        Path bin = dir.resolve("bin");
        tool(bin, "yum", "echo started; touch \"$STATE/yum-ran\"; sleep 30; touch \"$STATE/yum-finished\"");
        RemoteCommand script = HostScript.build("flingerator", "1.2.0-1", NONCE, "flingerator", RemoteCommand.of("sudo", "-n", "yum", "-y", "update", "flingerator"),
                null, RemoteCommand.of("sudo", "-n", "systemctl", "restart", "flingerator"),
                RemoteCommand.of("systemctl", "is-active", "flingerator"), HostScript.AtTarget.STOP);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script.commandLine()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("STATE", state.toString());
        Process p = pb.start();
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.equals("started")) {
            // up to the update's first line
        }
        p.getOutputStream().close(); // what sshd does when the client closes the channel
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the script ends when its stdin closes").isTrue();
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(state.resolve("yum-finished")).doesNotExist();
        assertThat(Files.exists(state.resolve("restarts"))).isFalse();
    }

    @Test
    void aScriptletPrintingAMarkerIsOnlyOutput() throws Exception {
        installed("flingerator-1.1.0-1.noarch");
        Files.writeString(state.resolve("next"), "flingerator-1.2.0-1.noarch\n");
        // A %post scriptlet that prints what looks like the runner's markers, old style and with a guessed nonce.
        tool(dir.resolve("bin"), "yum", "echo \"@@yardmaster-step health\"; echo \"@@yardmaster-ffffffffffffffff restart\"; "
                + "cp \"$STATE/next\" \"$STATE/installed\"");
        Run r = run("1.2.0-1", HostScript.AtTarget.STOP);
        assertThat(r.output()).contains("@@yardmaster-step health", "@@yardmaster-ffffffffffffffff restart");
        assertThat(r.marks()).containsExactly("check", "update", "verify", "restart", "health");
    }

    @Test
    void theScriptAndTheFleetsShimsPassShellcheck() throws Exception {
        Path script = Path.of("src/main/resources/dev/yardmaster/rollout/host-script.sh");
        Process p = new ProcessBuilder("shellcheck", "-S", "style", script.toString(), "bin/lib/fleet/pause-point",
                "bin/lib/fleet/shims/systemctl", "bin/lib/fleet/shims/rpm", "bin/lib/fleet/shims/yum", "bin/lib/fleet/shims/dnf")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("shellcheck (Debian package shellcheck, installed by bin/test):\n" + out).isZero();
    }
}
