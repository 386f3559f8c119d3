package dev.yardmaster.rollout;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What the API and the pages show of rolls: one home for both, so neither calls the other. */
@ApplicationScoped
public class RollQueries {

    public record RollView(long id, String packageName, String environment, String target, String status, String reason,
            int currentBatch, int batchCount, String createdBy, OffsetDateTime createdAt, OffsetDateTime startedAt,
            OffsetDateTime finishedAt, String leaseOwner, Map<HostStatus, Long> counts, int hosts,
            /** The hosts counted as the outcome is judged: succeeded, failed, unreachable, skipped (RollOutcome). */
            Map<String, Object> outcome, String label, boolean complete, boolean failure, String onFailure,
            Long rollbackOf, Long rolledBackBy) {

        /** For templates: the count of one host state by name. */
        public long count(String status) {
            return counts.getOrDefault(HostStatus.valueOf(status), 0L);
        }
    }

    public record HostView(long id, int position, int batch, String name, String address, int port, String service,
            String status, String step, String reason, String fromEvr, String toEvr, int restarts, int attempts,
            OffsetDateTime startedAt, OffsetDateTime finishedAt, boolean complete,
            /** The host's own target (a rollback roll's host: the build it ran before); null: the roll's. */
            String targetEvr) {
        static HostView of(RollHost h) {
            return new HostView(h.id, h.position, h.batch, h.name, h.address, h.port, h.service, h.status.name(),
                    h.step.name(), h.reason, h.fromEvr, h.toEvr, h.restarts, h.attempts, h.startedAt, h.finishedAt,
                    h.status.isComplete(), h.targetEvr);
        }
    }

    public record HostLog(long id, String name, String status, String log) {
    }

    @Transactional
    public List<RollView> newestFirst(int limit) {
        return Roll.newestFirst(limit).stream().map(RollQueries::view).toList();
    }

    @Transactional
    public RollView get(long id) {
        return view(require(id));
    }

    /** The roll (404 when there is none). */
    @Transactional
    public Roll require(long id) {
        Roll roll = Roll.findById(id);
        if (roll == null) {
            throw YardmasterException.notFound("roll", "There is no roll " + id + ".");
        }
        return roll;
    }

    /** Whether the roll exists (a cheap check before opening an event stream). */
    @Transactional
    public boolean exists(long id) {
        return Roll.count("id", id) > 0;
    }

    /** The roll's hosts in order, optionally only those in one state (given by name, 400 when unknown). */
    @Transactional
    public List<HostView> hosts(long id, String status) {
        require(id);
        List<RollHost> hosts = status == null || status.isBlank() ? RollHost.of(id)
                : RollHost.list("rollId = ?1 and status = ?2 order by position", id, parseStatus(status));
        return hosts.stream().map(HostView::of).toList();
    }

    @Transactional
    public HostLog log(long id, long hostId) {
        RollHost host = RollHost.find("id = ?1 and rollId = ?2", hostId, id).firstResult();
        if (host == null) {
            throw YardmasterException.notFound("host", "Roll " + id + " has no host " + hostId + ".");
        }
        return new HostLog(host.id, host.name, host.status.name(), host.log);
    }

    /** The id of the roll's newest event (0 when none): where a page's live stream starts. */
    @Transactional
    public long lastEventId(long id) {
        Long last = RollEvent.getEntityManager().createQuery("select max(id) from RollEvent where rollId = ?1", Long.class)
                .setParameter(1, id).getSingleResult();
        return last == null ? 0 : last;
    }

    private static HostStatus parseStatus(String status) {
        try {
            return HostStatus.valueOf(status.strip().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw YardmasterException.badRequest("bad-status", "Unknown host state '" + Names.printable(status)
                    + "'. Known: " + List.of(HostStatus.values()) + ".");
        }
    }

    static RollView view(Roll roll) {
        Map<HostStatus, Long> counts = counts(roll.id);
        int hosts = (int) counts.values().stream().mapToLong(Long::longValue).sum();
        return new RollView(roll.id, roll.packageName, roll.environment, roll.targetEvr, roll.status.name(), roll.reason,
                roll.currentBatch, roll.batchCount, roll.createdBy, roll.createdAt, roll.startedAt, roll.finishedAt,
                roll.leaseOwner, counts, hosts, RollOutcome.of(counts).json(), roll.status.label(), roll.status.isComplete(),
                roll.status.isFailure(), roll.onFailure.name(), roll.rollbackOf, Roll.rolledBackBy(roll.id).orElse(null));
    }

    static Map<HostStatus, Long> counts(long rollId) {
        Map<HostStatus, Long> counts = new EnumMap<>(HostStatus.class);
        for (HostStatus s : HostStatus.values()) {
            counts.put(s, 0L);
        }
        List<Object[]> rows = RollHost.getEntityManager()
                .createQuery("select status, count(*) from RollHost where rollId = ?1 group by status", Object[].class)
                .setParameter(1, rollId).getResultList();
        for (Object[] row : rows) {
            counts.put((HostStatus) row[0], (Long) row[1]);
        }
        return counts;
    }

    /**
     * A host as the roll page draws it: no address, versions or log. The page loads all of a
     * roll's hosts at once, and a stored log is up to 64 kB per host, so this never reads the log
     * column (2,000 entities with their logs were up to 128 MB read for one page view).
     */
    public record PageHost(long id, int batch, String name, String status, String step, String reason, boolean complete,
            OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    /** The roll's hosts in order, as {@link PageHost}s (404 when there is no such roll). */
    @Transactional
    public List<PageHost> pageHosts(long id) {
        require(id);
        List<Object[]> rows = RollHost.getEntityManager().createQuery(
                "select id, batch, name, status, step, reason, startedAt, finishedAt from RollHost where rollId = ?1 order by position",
                Object[].class).setParameter(1, id).getResultList();
        return rows.stream().map(r -> {
            HostStatus status = (HostStatus) r[3];
            return new PageHost((Long) r[0], (Integer) r[1], (String) r[2], status.name(), ((Step) r[4]).name(), (String) r[5],
                    status.isComplete(), (OffsetDateTime) r[6], (OffsetDateTime) r[7]);
        }).toList();
    }
}
