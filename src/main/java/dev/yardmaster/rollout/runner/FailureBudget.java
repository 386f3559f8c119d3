package dev.yardmaster.rollout.runner;

/**
 * When a roll halts: more failed hosts than {@code maxFailures}, or more unreachable ones than
 * {@code maxUnreachable} (each its own budget). Pure, so the rule is tested without a roll.
 */
public record FailureBudget(int maxFailures, int maxUnreachable) {

    /** Why the budget is spent with these counts, or null while it holds. */
    public String spent(long failed, long unreachable) {
        if (failed > maxFailures) {
            return "failure budget spent: " + hosts(failed) + " failed, budget " + maxFailures;
        }
        if (unreachable > maxUnreachable) {
            return "unreachable budget spent: " + hosts(unreachable) + " unreachable, budget " + maxUnreachable;
        }
        return null;
    }

    private static String hosts(long n) {
        return n == 1 ? "1 host" : n + " hosts";
    }
}
