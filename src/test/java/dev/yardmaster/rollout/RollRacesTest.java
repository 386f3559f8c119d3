package dev.yardmaster.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.rollout.RollTransitions.Move;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A person's cancel racing the runner's own moves (the end of the roll, the end of the canary
 * delay), many times over: the roll's row lock makes one of them win whole, so the roll never
 * ends in a state the audit log contradicts. The rolls are leased to a holder that is not this
 * instance, so its runner leaves them alone; the race is between the API and the transitions
 * the runner calls.
 */
@QuarkusTest
class RollRacesTest {

    static final String ALICE = Tokens.user("alice");
    static final int ROUNDS = 20;

    @Inject
    RollTransitions transitions;
    @Inject
    EntityManager em;

    long roll(String status) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll (package_name, environment, target_evr, status, plan, batch_count, current_batch, created_by,
                                  lease_owner, lease_until, fence)
                values ('raced', 'staging', '1.0-1', ?1, '{}', 2, 0, 'RollRacesTest', 'elsewhere/1/racer',
                        now() + interval '1 hour', 3) returning id""").setParameter(1, status).getSingleResult()).longValue());
    }

    void delete(long id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from roll where id = ?1").setParameter(1, id)
                .executeUpdate());
    }

    long canceledAudits(long id) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from audit_event where action = 'roll.canceled' and subject = ?1").setParameter(1, "roll " + id)
                .getSingleResult()).longValue());
    }

    /** Runs the cancel and the runner's move at the same moment; returns the cancel's HTTP status. */
    int race(long id, Runnable runnerMove) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Integer> cancel = CompletableFuture.supplyAsync(() -> {
            await(go);
            return given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/cancel").statusCode();
        });
        CompletableFuture<Void> move = CompletableFuture.runAsync(() -> {
            await(go);
            runnerMove.run();
        });
        go.countDown();
        move.get();
        return cancel.get();
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCancelRacingTheEndOfTheRollEitherWinsWholeOrIsRefused() throws Exception {
        int canceled = 0;
        for (int i = 0; i < ROUNDS; i++) {
            long id = roll("RUNNING");
            try {
                int status = race(id, () -> transitions.move(id, 3, EnumSet.of(RollStatus.RUNNING), RollStatus.SUCCEEDED,
                        r -> Move.to(null)));
                Roll after = QuarkusTransaction.requiringNew().call(() -> Roll.<Roll>findById(id));
                if (status == 200) {
                    canceled++;
                    assertThat(after.status).as("round " + i + ": the cancel was answered 200").isEqualTo(RollStatus.CANCELED);
                    assertThat(canceledAudits(id)).isEqualTo(1);
                } else {
                    assertThat(status).as("round " + i + ": the cancel lost").isEqualTo(409);
                    assertThat(after.status).isEqualTo(RollStatus.SUCCEEDED);
                    assertThat(canceledAudits(id)).as("no roll.canceled for a roll that succeeded").isZero();
                }
            } finally {
                delete(id);
            }
        }
        System.out.printf("cancel vs. end of roll: %d of %d cancels won%n", canceled, ROUNDS);
    }

    @Test
    void aCancelRacingTheEndOfTheCanaryDelayAlwaysStands() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            long id = roll("WAITING");
            try {
                int status = race(id, () -> transitions.move(id, 3, EnumSet.of(RollStatus.WAITING), RollStatus.RUNNING,
                        r -> Move.to("continued after the canary delay")));
                Roll after = QuarkusTransaction.requiringNew().call(() -> Roll.<Roll>findById(id));
                assertThat(status).as("round " + i).isEqualTo(200);
                assertThat(after.status).as("round " + i + ": the canceled roll was not continued").isEqualTo(RollStatus.CANCELED);
                assertThat(after.reason).startsWith("canceled by");
            } finally {
                delete(id);
            }
        }
    }

    @Test
    void aRunnerWithAStaleFenceMovesNothing() {
        long id = roll("RUNNING");
        try {
            assertThat(transitions.move(id, 2, EnumSet.of(RollStatus.RUNNING), RollStatus.SUCCEEDED, r -> Move.to(null))).isFalse();
            assertThat(transitions.note(id, 2, r -> r.currentBatch = 1)).isFalse();
            Roll after = QuarkusTransaction.requiringNew().call(() -> Roll.<Roll>findById(id));
            assertThat(after.status).isEqualTo(RollStatus.RUNNING);
            assertThat(after.currentBatch).isZero();
        } finally {
            delete(id);
        }
    }
}
