package dev.yardmaster.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A command line for a remote shell built only from validated tokens. Every token must match
 * {@link #TOKEN} (letters, digits and {@code . _ - + : / @ = , % ~ ^}); each is single-quoted
 * anyway, so no user text can reach the shell as syntax.
 */
public final class RemoteCommand {

    /**
     * What a token may contain: enough for package names, EVRs, service names, paths, flags.
     * {@code ~} and {@code ^} are rpm's pre- and post-release markers ({@code 1.0~rc1},
     * {@code 1.0^git3}); inside single quotes neither is expanded.
     */
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._+:/@=,%~^-]{1,255}");

    /** Printed on stdout between the commands of a {@link #sequence}: the previous one succeeded. */
    public static final String NEXT = "@@yardmaster-next";

    private final List<String> tokens;
    /** The commands of a sequence, or just this one. */
    private final List<List<String>> parts;

    private RemoteCommand(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.parts = List.of(this.tokens);
    }

    private RemoteCommand(List<List<String>> parts, boolean sequence) {
        this.tokens = parts.stream().flatMap(List::stream).toList();
        this.parts = List.copyOf(parts);
    }

    /**
     * Several commands in one exec, each run only when the one before succeeded, with
     * {@link #NEXT} printed on stdout between them. One exec instead of several saves a channel
     * (and on many hosts a login shell) per step; closing the channel still ends whichever runs.
     */
    public static RemoteCommand sequence(RemoteCommand... commands) {
        List<List<String>> parts = new ArrayList<>();
        for (RemoteCommand c : commands) {
            parts.addAll(c.parts);
        }
        return new RemoteCommand(parts, true);
    }

    /** A command from a program and its arguments; refuses any token that is not plain. */
    public static RemoteCommand of(String program, String... args) {
        List<String> all = new ArrayList<>();
        all.add(program);
        all.addAll(List.of(args));
        return of(all);
    }

    public static RemoteCommand of(List<String> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        for (String token : tokens) {
            if (token == null || !TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("not a safe command token: " + printable(token));
            }
        }
        return new RemoteCommand(tokens);
    }

    /**
     * Splits a configured template such as {@code sudo -n yum -y install {package}-{evr}} on
     * spaces and fills the placeholders; the filled tokens are validated like any other.
     */
    public static RemoteCommand fromTemplate(String template, java.util.Map<String, String> values) {
        List<String> tokens = new ArrayList<>();
        for (String part : template.trim().split("\\s+")) {
            String filled = part;
            for (var entry : values.entrySet()) {
                filled = filled.replace("{" + entry.getKey() + "}", entry.getValue());
            }
            if (filled.contains("{") || filled.contains("}")) {
                throw new IllegalArgumentException("unknown placeholder in command template: " + printable(part));
            }
            tokens.add(filled);
        }
        return of(tokens);
    }

    /** The tokens as given. */
    public List<String> tokens() {
        return tokens;
    }

    /**
     * Runs the command in the background and watches the channel's stdin: when the client
     * closes the channel (timeout, cancel) sshd closes that pipe, {@code cat} sees EOF and the
     * command gets SIGTERM. OpenSSH does not signal a command on channel close by itself when
     * no pty is allocated, and a pty would merge stdout into stderr.
     */
    static final String KILL_ON_CLOSE = "exec 3<&0; \"$@\" </dev/null 3<&- & c=$!; "
            + "{ cat <&3 >/dev/null 2>&1; kill -TERM $c 2>/dev/null; } >/dev/null 2>&1 & w=$!; exec 3<&-; "
            + "wait $c; s=$?; kill $w 2>/dev/null; exit $s";

    /**
     * The line sent to the remote shell: each token single-quoted, run through a fixed
     * {@code sh -c} script ({@link #KILL_ON_CLOSE}) so that closing the channel ends it.
     */
    public String commandLine() {
        StringBuilder line = new StringBuilder("exec sh -c '").append(KILL_ON_CLOSE).append("' yardmaster");
        if (parts.size() == 1) {
            for (String token : tokens) {
                line.append(" '").append(token).append('\'');
            }
            return line.toString();
        }
        // A sequence: each command runs in the background and is waited for, so the TERM sent on
        // channel close interrupts the wait and is passed on to the command that runs. Tokens
        // hold no quote, $, ` or \ (TOKEN): double quotes in the single-quoted script keep each
        // one a plain word.
        StringBuilder script = new StringBuilder("trap \"kill -TERM \\$p 2>/dev/null; exit 143\" TERM; ");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                script.append("echo ").append(NEXT).append("; ");
            }
            script.append(String.join(" ", parts.get(i).stream().map(t -> "\"" + t + "\"").toList()))
                    .append(" </dev/null & p=$!; wait $p").append(i < parts.size() - 1 ? " || exit $?; " : "");
        }
        return line.append(" sh -c '").append(script).append('\'').toString();
    }

    /** For logs and the UI: the tokens joined by spaces (commands of a sequence by {@code &&}). */
    @Override
    public String toString() {
        return String.join(" && ", parts.stream().map(p -> String.join(" ", p)).toList());
    }

    private static String printable(String text) {
        if (text == null) {
            return "null";
        }
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
    }
}
