package dev.yardmaster.rollout.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.observability.Meters;
import dev.yardmaster.promotion.TargetBuilds;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.rollout.RollChecks;
import dev.yardmaster.rollout.RollConfig;
import dev.yardmaster.rollout.RollTransitions;
import dev.yardmaster.rollout.store.Leases;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.ssh.SshSessions;

/** The application's services a roll's execution and its hosts work with. */
record RunnerServices(RollConfig config, SshSessions ssh, Inventory inventory, TargetBuilds targets, RollTransitions transitions,
        RollStore store, Leases leases, ObjectMapper json, Meters meters, RollChecks checks, AuditLog audit) {
}
