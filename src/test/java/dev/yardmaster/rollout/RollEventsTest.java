package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.yardmaster.rollout.store.RollStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Events reach this instance's subscribers through NOTIFY: small ones inside the notification,
 * large ones (over {@link RollStore#MAX_INLINE} bytes) read back from roll_event by id; both
 * from the JPA path (RollEvents.record) and the runner's one-statement path (RollStore.storeHost).
 */
@QuarkusTest
class RollEventsTest {

    @Inject
    RollEvents events;
    @Inject
    RollStore store;
    @Inject
    EntityManager em;

    @Test
    void smallEventsTravelInTheNotificationAndLargeOnesAreReadBackWhole() {
        long rollId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll (package_name, environment, target_evr, status, plan, batch_count, created_by)
                values ('flingerator', 'staging', '1.0-1', 'SUCCEEDED', '{}', 1, 'RollEventsTest') returning id""")
                .getSingleResult()).longValue());
        long hostId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll_host (roll_id, position, batch, name, address, port, source, service, status, step)
                values (?1, 0, 0, 'events-host', '127.0.1.99', 22, 'static', 'flingerator', 'RUNNING', 'CONNECT') returning id""")
                .setParameter(1, rollId).getSingleResult()).longValue());
        List<RollEvents.Sent> received = new CopyOnWriteArrayList<>();
        Consumer<RollEvents.Sent> subscriber = e -> {
            if (e.rollId() == rollId) {
                received.add(e);
            }
        };
        events.subscribe(subscriber);
        try {
            String big = "x".repeat(RollStore.MAX_INLINE + 100);
            QuarkusTransaction.requiringNew().run(() -> {
                events.record(rollId, "Note", Map.of("text", "small, with spaces and ünïcode"));
                events.record(rollId, "Note", Map.of("text", big));
            });
            RollStore.Change change = new RollStore.Change();
            change.step = Step.UPDATE;
            assertThat(store.storeHost(hostId, 0, change, "", null)).isPresent();
            RollStore.Change failed = new RollStore.Change();
            failed.status = HostStatus.FAILED;
            failed.finished = true;
            failed.reason = "y".repeat(RollStore.MAX_INLINE + 100);
            assertThat(store.storeHost(hostId, 0, failed, "", null)).isPresent();

            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 4);
            List<RollEvents.Sent> stored = QuarkusTransaction.requiringNew().call(() -> RollEvent.after(rollId, 0, 10).stream()
                    .map(e -> new RollEvents.Sent(e.id, e.rollId, e.type, e.data)).toList());
            assertThat(received).as("every event, whole, in id order").containsExactlyElementsOf(stored);
            assertThat(stored).hasSize(4);
            assertThat(stored.get(0).data()).contains("ünïcode");
            assertThat(stored.get(1).data()).contains(big);
            assertThat(stored.get(2).type()).isEqualTo("HostChanged");
            assertThat(stored.get(2).data()).contains("\"complete\" : false", "\"failure\" : false");
            assertThat(stored.get(3).data()).contains("\"complete\" : true", "\"failure\" : true");
            assertThat(stored.get(3).data()).contains(failed.reason);
        } finally {
            events.unsubscribe(subscriber);
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from roll where id = ?1")
                    .setParameter(1, rollId).executeUpdate());
        }
    }

    @Test
    void aWriteWithAStaleFenceChangesNothingAndAnnouncesNothing() {
        long rollId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll (package_name, environment, target_evr, status, plan, batch_count, created_by, fence)
                values ('flingerator', 'staging', '1.0-1', 'SUCCEEDED', '{}', 1, 'RollEventsTest', 7) returning id""")
                .getSingleResult()).longValue());
        long hostId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll_host (roll_id, position, batch, name, address, port, source, service, status, step)
                values (?1, 0, 0, 'fenced-host', '127.0.1.98', 22, 'static', 'flingerator', 'RUNNING', 'UPDATE') returning id""")
                .setParameter(1, rollId).getSingleResult()).longValue());
        try {
            RollStore.Change restarted = new RollStore.Change();
            restarted.step = Step.HEALTH;
            restarted.restarts = 1;
            RollStore.Change ended = new RollStore.Change();
            ended.status = HostStatus.SUCCEEDED;
            ended.finished = true;
            assertThat(store.storeHost(hostId, 6, restarted, "stale", null)).as("an older holder's write").isEmpty();
            assertThat(store.storeHost(hostId, 6, ended, "stale", new RollStore.Seen("staging", "flingerator", "1.0-1"))).isEmpty();
            QuarkusTransaction.requiringNew().run(() -> {
                RollHost host = RollHost.findById(hostId);
                assertThat(host.status).isEqualTo(HostStatus.RUNNING);
                assertThat(host.step).isEqualTo(Step.UPDATE);
                assertThat(host.restarts).isZero();
                assertThat(host.log).isEmpty();
                assertThat(RollEvent.count("rollId", rollId)).isZero();
                assertThat(em.createNativeQuery("select count(*) from host_package where host_name = 'fenced-host'")
                        .getSingleResult()).isEqualTo(0L);
            });
            assertThat(store.storeHost(hostId, 7, ended, "current", null)).as("the holder's write").isPresent();
        } finally {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from roll where id = ?1")
                    .setParameter(1, rollId).executeUpdate());
        }
    }
}
