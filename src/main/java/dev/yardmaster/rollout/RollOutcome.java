package dev.yardmaster.rollout;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A roll's hosts counted the way its outcome is judged: {@code succeeded} run the target
 * (updated, or there already), {@code unreachable} never answered, {@code skipped} left the
 * inventory before their turn (out of scope), {@code failed} is every other finished host
 * (failed, timed out, unhealthy, host key changed, canceled). Pure: the one home of "did this
 * roll succeed", used by the runner's last move, the API, events, audit and chat text.
 */
public record RollOutcome(long succeeded, long failed, long unreachable, long skipped, long open) {

    public static RollOutcome of(Map<HostStatus, Long> counts) {
        long succeeded = 0;
        long failed = 0;
        long unreachable = 0;
        long skipped = 0;
        long open = 0;
        for (var e : counts.entrySet()) {
            HostStatus s = e.getKey();
            long n = e.getValue();
            if (HostStatus.OPEN.contains(s)) {
                open += n;
            } else if (HostStatus.AT_TARGET_NOW.contains(s)) {
                succeeded += n;
            } else if (HostStatus.OUT_OF_SCOPE.contains(s)) {
                skipped += n;
            } else if (HostStatus.UNREACHED.contains(s)) {
                unreachable += n;
            } else {
                failed += n;
            }
        }
        return new RollOutcome(succeeded, failed, unreachable, skipped, open);
    }

    /** How a roll that got through all its hosts ends: SUCCEEDED only when none is off the target. */
    public RollStatus status() {
        return failed + unreachable == 0 ? RollStatus.SUCCEEDED : RollStatus.SUCCEEDED_WITH_FAILURES;
    }

    /** The reason stored with the end: null when all went well. */
    public String reason() {
        if (failed + unreachable == 0) {
            return skipped == 0 ? null : skipped + " skipped (gone from the inventory)";
        }
        return (failed + unreachable) + " of " + (succeeded + failed + unreachable)
                + " hosts do not run the target (within the budget): " + counts();
    }

    /** {@code 46 succeeded, 3 failed, 1 unreachable, 0 skipped}. */
    public String counts() {
        return succeeded + " succeeded, " + failed + " failed, " + unreachable + " unreachable, " + skipped + " skipped";
    }

    /** The JSON shape of the counts (API, events, audit details): one home. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("succeeded", succeeded);
        m.put("failed", failed);
        m.put("unreachable", unreachable);
        m.put("skipped", skipped);
        return m;
    }

    /** One line for chat: {@code Roll 42: flingerator 1.2.0-1 → staging succeeded with failures (46 succeeded, …)}. */
    public static String text(Roll roll, RollOutcome outcome) {
        return "Roll " + roll.id + ": " + roll.packageName + " " + roll.targetEvr + " → " + roll.environment + " "
                + roll.status.label() + " (" + outcome.counts() + ")"
                + (roll.reason == null || roll.status == RollStatus.SUCCEEDED_WITH_FAILURES ? "" : ": " + roll.reason);
    }
}
