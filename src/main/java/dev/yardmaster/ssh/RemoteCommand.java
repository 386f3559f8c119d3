package dev.yardmaster.ssh;

import dev.yardmaster.core.Names;
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

    private final List<String> tokens;
    /** A script's text, or null for a plain command. */
    private final String script;
    private final String description;

    private RemoteCommand(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.script = null;
        this.description = String.join(" ", this.tokens);
    }

    private RemoteCommand(String script, String description) {
        this.tokens = List.of();
        this.script = script;
        this.description = description;
    }

    /**
     * A POSIX {@code sh} script run as one exec: several steps for the price of one channel
     * (and, on many hosts, one login shell). The text must be written in this code base, never
     * taken from input; commands go in only through {@link #words()}, which quotes validated
     * tokens. Closing the channel sends the script TERM: it should pass that on to the command
     * it waits for (run commands in the background and {@code wait}, with a TERM trap).
     */
    public static RemoteCommand script(String text, String description) {
        if (text.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("a script must not hold a single quote: it is sent single-quoted");
        }
        return new RemoteCommand(text, description);
    }

    /**
     * This command as words for a {@link #script}: each token in double quotes. Tokens hold no
     * quote, {@code $}, backquote or backslash ({@link #TOKEN}), so each stays one plain word.
     */
    public String words() {
        if (script != null) {
            throw new IllegalStateException("a script is not a command");
        }
        return String.join(" ", tokens.stream().map(t -> "\"" + t + "\"").toList());
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
                throw new IllegalArgumentException("not a safe command token: " + Names.printable(token));
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
                throw new IllegalArgumentException("unknown placeholder in command template: " + Names.printable(part));
            }
            tokens.add(filled);
        }
        return of(tokens);
    }

    /** The tokens as given (none for a script). */
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
     * The line sent to the remote shell: each token single-quoted (or the script, single-quoted
     * for {@code sh -c}), run through a fixed {@code sh -c} script ({@link #KILL_ON_CLOSE}) so
     * that closing the channel ends it.
     */
    public String commandLine() {
        StringBuilder line = new StringBuilder("exec sh -c '").append(KILL_ON_CLOSE).append("' yardmaster");
        if (script != null) {
            return line.append(" sh -c '").append(script).append('\'').toString();
        }
        for (String token : tokens) {
            line.append(" '").append(token).append('\'');
        }
        return line.toString();
    }

    /** For logs and the UI: the tokens joined by spaces, or the script's description. */
    @Override
    public String toString() {
        return description;
    }

}
