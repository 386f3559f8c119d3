package dev.yardmaster.rollout.web;

import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.RollControl;
import dev.yardmaster.rollout.RollStatus;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the roll page says about states, in words, taken from the enums and their sets (never a
 * list of names in a template or in the browser): a status added to {@link RollStatus} or
 * {@link HostStatus} shows with its own label, and the controls follow {@link RollControl}.
 */
final class RollWords {

    private RollWords() {
    }

    /** "PAUSED" → "Paused", "SUCCEEDED_WITH_FAILURES" → "Succeeded with failures". */
    static String label(Enum<?> status) {
        // A roll's status reads as RollStatus says (the API's label), capitalised for a badge.
        String words = status instanceof RollStatus roll ? roll.label()
                : status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /**
     * The roll's status and reason as one sentence: "Paused" + "paused by bob" reads "Paused by
     * bob", not "PAUSED paused by bob". rolls.ts applies the same rule to live changes.
     */
    record Said(String label, String reason, boolean complete) {
    }

    static Said said(RollStatus status, String reason) {
        String rest = reason == null ? "" : reason.strip();
        String word = status.name().toLowerCase().replace('_', ' ');
        if (rest.toLowerCase().startsWith(word + " ")) {
            rest = rest.substring(word.length() + 1);
        } else if (rest.equalsIgnoreCase(word)) {
            rest = "";
        }
        return new Said(label(status), rest, status.isComplete());
    }

    /** One roll status for the browser: its label and whether it is finished (RollStatus.TERMINAL). */
    record RollState(String label, boolean complete) {
    }

    static Map<String, RollState> rollStates() {
        Map<String, RollState> states = new LinkedHashMap<>();
        for (RollStatus s : RollStatus.values()) {
            states.put(s.name(), new RollState(label(s), s.isComplete()));
        }
        return states;
    }

    /**
     * One host state for the page: its label, a sign that does not rely on colour, its group
     * ({@code failure}, {@code unreachable}, {@code open}, {@code done}, from HostStatus's sets)
     * and its rank for "worst first".
     */
    record HostState(String name, String label, String icon, String kind, int rank) {
    }

    static List<HostState> hostStates() {
        return Arrays.stream(HostStatus.values()).map(s -> {
            String kind = s.isFailure() ? "failure" : s.isUnreachable() ? "unreachable" : s.isComplete() ? "done" : "open";
            int group = switch (kind) {
                case "failure" -> 0;
                case "unreachable" -> 1;
                case "open" -> 2;
                default -> 3;
            };
            return new HostState(s.name(), label(s), icon(s), kind, group * 100 + s.ordinal());
        }).toList();
    }

    private static String icon(HostStatus s) {
        if (s.isFailure()) {
            return "✕";
        }
        if (s.isUnreachable()) {
            return "⚠";
        }
        return switch (s) {
            case RUNNING -> "▶";
            case PENDING -> "…";
            case SUCCEEDED, AT_TARGET -> "✓";
            default -> "–";
        };
    }

    /** A control's form: the statuses it is offered in (RollControl's edges) and whether it is offered now. */
    record Control(String from, boolean allowed) {
        static Control of(RollControl control, RollStatus now) {
            return new Control(control.from.stream().map(Enum::name).collect(Collectors.joining(" ")), control.allows(now));
        }
    }

    /**
     * The roll's controls as the page offers them; {@code none}: nothing can be done to it now.
     * Retry shows only while some host is retryable: on a roll without one it could only fail
     * (409 nothing-to-retry). rolls.ts applies the same two conditions to live changes.
     */
    record Controls(Control pause, Control resume, Control proceed, Control cancel, Control retry, boolean none) {
        static Controls of(RollStatus now, long retryableHosts) {
            Control retry = Control.of(RollControl.RETRY, now);
            if (retryableHosts == 0) {
                retry = new Control(retry.from(), false);
            }
            Control pause = Control.of(RollControl.PAUSE, now);
            Control resume = Control.of(RollControl.RESUME, now);
            Control proceed = Control.of(RollControl.CONTINUE, now);
            Control cancel = Control.of(RollControl.CANCEL, now);
            return new Controls(pause, resume, proceed, cancel, retry,
                    !(pause.allowed() || resume.allowed() || proceed.allowed() || cancel.allowed() || retry.allowed()));
        }
    }

    /** How many of a roll's hosts "retry" would run again (HostStatus.RETRYABLE), from its counts. */
    static long retryable(Map<HostStatus, Long> counts) {
        return counts.entrySet().stream().filter(e -> e.getKey().isRetryable()).mapToLong(Map.Entry::getValue).sum();
    }

    /** What the page says after a person's control took effect, as a plain sentence. */
    static String done(long id, String action) {
        return switch (action) {
            case "pause" -> "Roll " + id + " is paused: no new host starts until it is resumed.";
            case "resume" -> "Roll " + id + " resumes.";
            case "continue" -> "Roll " + id + " continues after its canary.";
            case "cancel" -> "Roll " + id + " is canceled: hosts not yet started stay as they are.";
            case "interrupt" -> "Roll " + id + " is canceled and the commands running on its hosts are interrupted.";
            default -> "Roll " + id + " retries its failed and unreachable hosts.";
        };
    }
}
