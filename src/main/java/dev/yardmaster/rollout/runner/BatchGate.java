package dev.yardmaster.rollout.runner;

import dev.yardmaster.observability.Prometheus;
import dev.yardmaster.rollout.Gate;
import dev.yardmaster.rollout.RollTransitions.Move;
import dev.yardmaster.security.Actor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A roll's metric gate, asked after the canary and after each batch: the query every interval
 * until the condition has held for the gate's hold time. The first answer that does not pass (a
 * sample on the wrong side, no data, Prometheus refusing or unreachable: the safe side) halts the
 * roll like a spent failure budget, with the reason on the roll, a GateFailed event and an audit
 * entry; a gate that held is announced as GatePassed.
 */
final class BatchGate {

    /** One answer: passed or not, and what it said. */
    record Verdict(boolean passed, String said) {
    }

    private final RollExecution execution;
    private final RunnerServices services;
    private final Gate gate;

    BatchGate(RollExecution execution, RunnerServices services, Gate gate) {
        this.execution = execution;
        this.services = services;
        this.gate = gate;
    }

    /** Asks the gate after {@code batch}; true to go on, false when it failed (the roll halted) or the roll stopped meanwhile. */
    boolean passes(int batch, int batchCount, boolean canary) {
        String after = canary ? "after the canary" : "after batch " + (batch + 1) + " of " + batchCount;
        long rollId = execution.rollId();
        long fence = execution.fence();
        var transitions = services.transitions();
        transitions.note(rollId, fence, r -> r.reason = "gate " + after + ": " + gate.condition() + " must hold for "
                + gate.hold().toSeconds() + " s");
        long end = System.nanoTime() + gate.hold().toNanos();
        int asked = 0;
        Verdict verdict;
        while (true) {
            if (execution.halting() || services.store().state(rollId).status().isComplete()) {
                return false;
            }
            verdict = ask();
            asked++;
            if (!verdict.passed() || System.nanoTime() + gate.interval().toNanos() > end) {
                break;
            }
            if (!sleep(gate.interval().toMillis())) {
                return false;
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("batch", batch);
        data.put("canary", canary);
        data.put("query", gate.query());
        data.put("comparison", gate.comparison());
        data.put("threshold", gate.threshold());
        data.put("asked", asked);
        data.put("said", verdict.said());
        if (verdict.passed()) {
            String held = "gate held " + after + " (" + asked + (asked == 1 ? " answer" : " answers") + "): " + verdict.said();
            transitions.note(rollId, fence, r -> {
                r.reason = held;
                transitions.record(r, "GatePassed", data);
            });
            return true;
        }
        String said = verdict.said();
        String why = "gate failed " + after + ": " + said;
        // halt, not a plain move: with onFailure rollback a failed gate rolls back like a spent budget.
        transitions.halt(rollId, fence, r -> {
            transitions.record(r, "GateFailed", data);
            services.audit().record(services.audit().entry(Actor.system(), "roll.gate-failed").environment(r.environment)
                    .packageName(r.packageName).subject("roll " + r.id).outcome("failed").detail("batch", batch)
                    .detail("condition", gate.condition()).detail("said", said));
            return Move.to(why);
        });
        return false;
    }

    /** The query once, judged. */
    Verdict ask() {
        List<Prometheus.Sample> samples;
        try {
            samples = services.checks().prometheus().query(gate.query());
        } catch (Prometheus.Failure e) {
            return new Verdict(false, e.getMessage());
        }
        for (Prometheus.Sample s : samples) {
            if (!gate.passes(s.value())) {
                return new Verdict(false, s.labels() + (s.labels().isEmpty() ? "" : " ") + Gate.number(s.value()) + " is not "
                        + gate.comparison() + " " + Gate.number(gate.threshold()) + " (" + gate.query() + ")");
            }
        }
        Prometheus.Sample worst = samples.get(0);
        return new Verdict(true, gate.condition() + (samples.size() == 1 ? " (" + Gate.number(worst.value()) + ")"
                : " for all " + samples.size() + " samples"));
    }

    private boolean sleep(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (execution.halting() || services.store().state(execution.rollId()).status().isComplete()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
