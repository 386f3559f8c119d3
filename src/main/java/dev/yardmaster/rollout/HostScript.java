package dev.yardmaster.rollout;

import dev.yardmaster.ssh.RemoteCommand;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A host's steps as one remote script: check ({@code rpm -q}), update, verify, restart, health.
 * One exec instead of one per step: on a fleet every exec costs a channel and a login shell,
 * about as much as the update itself on the loopback fleet (bench/rolls.sh). The script prints
 * a {@link #MARK marker} line as it enters each step, so the runner stores each step as it is
 * reached and gives it its own timeout.
 *
 * <p>The decisions the script makes on the host are the runner's rules, written once here: a
 * host already at the target is left alone (or, when an earlier attempt may have changed it,
 * restarted); after an update {@code rpm -q} must say the target or the script stops before the
 * restart. Package name, EVR and commands are validated tokens, quoted by
 * {@link RemoteCommand#words()}.
 */
public final class HostScript {

    /** Starts the marker line of each step: {@code @@yardmaster-step update}. */
    static final String MARK = "@@yardmaster-step ";

    /** What the script says as it goes. */
    enum Mark {
        CHECK, AT_TARGET, UPDATE, VERIFY, INSTALL, RESTART, HEALTH;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** The mark on a line of stdout, or null. */
        static Mark of(String line) {
            if (!line.startsWith(MARK)) {
                return null;
            }
            String word = line.substring(MARK.length()).strip();
            for (Mark m : values()) {
                if (m.word().equals(word)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** What a host found at the target does. */
    enum AtTarget {
        /** Nothing: it was there before the roll. */
        STOP,
        /** Restart and check health: an earlier attempt changed it, or may have. */
        RESTART,
        /** Check health only: the restart was done before the roll stopped. */
        HEALTH
    }

    /** Exit status of the script when rpm -q does not say the target after the update. */
    static final int NOT_AT_TARGET = 97;

    private static final List<String> ARCHES = List.of("noarch", "x86_64", "aarch64", "i686", "i386", "ppc64le", "s390x",
            "armv7hl", "src");
    private static final Pattern ARCH = Pattern.compile(String.join("|", ARCHES));

    /**
     * rpm's query format: name-[epoch:]version-release.arch. Plain {@code rpm -q} leaves the
     * epoch out, so a build with an epoch would never match its own EVR.
     */
    public static final String QUERY_FORMAT = "%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\\n";

    private HostScript() {
    }

    /**
     * The script for one host. {@code change} updates (or installs the exact build); it and
     * {@code restart} and {@code health} come from the configured templates. {@code exact}, when
     * {@code change} is an update, installs the exact build on a host the update did not bring to
     * the target: after a rollback the promoted build is older than the one a host runs, and
     * {@code yum update} never goes down (dnf's {@code install} of an older build does); null when
     * {@code change} already is the exact install.
     */
    static RemoteCommand build(String packageName, String targetEvr, RemoteCommand change, RemoteCommand exact,
            RemoteCommand restart, RemoteCommand health, AtTarget atTarget) {
        String pkg = RemoteCommand.of(packageName).words();
        String evr = RemoteCommand.of(targetEvr).words();
        String arches = String.join("|", ARCHES.stream().map(a -> "*." + a).toList());
        StringBuilder s = new StringBuilder();
        // Globs off (rpm output is split into words), TERM passed on to the running command.
        s.append("set -f; trap \"kill -TERM \\$p 2>/dev/null; exit 143\" TERM; ");
        s.append("m() { echo ").append(MARK.strip()).append(" \"$1\"; }; ");
        s.append("r() { \"$@\" </dev/null & p=$!; wait $p; }; ");
        // q: rpm -q, printed, and the installed EVR in $c the way the runner reads it.
        s.append("q() { o=$(rpm -q --qf \"").append(QUERY_FORMAT).append("\" ").append(pkg).append(" </dev/null 2>&1); ")
                .append("echo \"$o\"; c=; for l in $o; do case $l in ").append(pkg).append("-*) c=${l#").append(pkg)
                .append("-}; break;; esac; done; case $c in ").append(arches).append(") c=${c%.*};; esac; c=${c#0:}; }; ");
        s.append("h=1; m check; q; ");
        s.append("if [ \"$c\" = ").append(evr).append(" ]; then m at-target; ");
        switch (atTarget) {
            case STOP -> s.append("exit 0; ");
            case RESTART -> {
            }
            case HEALTH -> s.append("h=; ");
        }
        s.append("else m update; r ").append(change.words()).append(" || exit $?; ");
        s.append("m verify; q; ");
        if (exact != null) {
            s.append("if [ \"$c\" != ").append(evr).append(" ]; then m install; r ").append(exact.words())
                    .append(" || exit $?; m verify; q; fi; ");
        }
        s.append("[ \"$c\" = ").append(evr).append(" ] || exit ").append(NOT_AT_TARGET).append("; fi; ");
        s.append("if [ -n \"$h\" ]; then m restart; r ").append(restart.words()).append(" || exit $?; fi; ");
        s.append("m health; r ").append(health.words());
        return RemoteCommand.script(s.toString(), "rpm -q " + packageName + "; " + change + "; rpm -q " + packageName + "; "
                + (exact == null ? "" : "(if not at the target: " + exact + "; rpm -q " + packageName + ") ")
                + restart + "; " + health);
    }

    /**
     * {@code rpm -q} of some packages with {@link #QUERY_FORMAT}: one line per installed package,
     * {@code package x is not installed} for the others.
     */
    public static RemoteCommand query(List<String> packages) {
        StringBuilder s = new StringBuilder("exec rpm -q --qf \"").append(QUERY_FORMAT).append('"');
        for (String p : packages) {
            s.append(' ').append(RemoteCommand.of(p).words());
        }
        return RemoteCommand.script(s.toString(), "rpm -q " + String.join(" ", packages));
    }

    /** The EVR in rpm -q output (the first line for the package), as the script reads it; null when not installed. */
    static String installed(String packageName, List<String> rpmOutput) {
        for (String line : rpmOutput) {
            if (line.startsWith(packageName + "-")) {
                return evr(packageName, line.strip());
            }
        }
        return null;
    }

    /** {@code flingerator-1.2.0-1.noarch} → {@code 1.2.0-1}; {@code x-0:1-1.noarch} → {@code 1-1}. */
    public static String evr(String packageName, String nevra) {
        String rest = nevra.substring(packageName.length() + 1);
        int dot = rest.lastIndexOf('.');
        if (dot > 0 && ARCH.matcher(rest.substring(dot + 1)).matches()) {
            rest = rest.substring(0, dot);
        }
        return rest.startsWith("0:") ? rest.substring(2) : rest;
    }
}
