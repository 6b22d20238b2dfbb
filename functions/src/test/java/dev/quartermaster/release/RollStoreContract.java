package dev.quartermaster.release;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link RollStore} does; run on the in-memory twin and on DynamoDB Local. */
abstract class RollStoreContract {
    protected abstract RollStore store();

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    static ReleaseLock lock(String app, String who, String rollId, Instant since) {
        return new ReleaseLock(app, who, since, rollId, since.plus(Duration.ofHours(1)), null);
    }

    @Test
    void lock_isTakenOnce_andTheSecondSeesTheHolder() {
        RollStore s = store();
        ReleaseLock alice = lock("wp", "alice", "roll-a", T);
        assertThat(s.lock(alice)).isEmpty();
        ReleaseLock held = s.lock(lock("wp", "bob", "roll-b", T.plusSeconds(5))).orElseThrow();
        assertThat(held.holder()).isEqualTo("alice");
        assertThat(held.rollId()).isEqualTo("roll-a");
        assertThat(held.since()).isEqualTo(T);
        assertThat(held.deadline()).isEqualTo(T.plus(Duration.ofHours(1)));
        assertThat(s.currentLock("wp")).contains(alice);
        // another app has its own lock
        assertThat(s.lock(lock("other", "bob", "roll-c", T))).isEmpty();
    }

    @Test
    void replace_onlyTheLockThatWasRead() {
        RollStore s = store();
        ReleaseLock alice = lock("wp", "alice", "roll-a", T);
        s.lock(alice);
        ReleaseLock bob =
                new ReleaseLock(
                        "wp",
                        "bob",
                        T.plusSeconds(7200),
                        "roll-b",
                        T.plusSeconds(9000),
                        "broke it");
        // a stale read (another since, another roll) does not replace it
        assertThat(s.replaceLock(lock("wp", "alice", "roll-a", T.plusSeconds(1)), bob)).isFalse();
        assertThat(s.replaceLock(lock("wp", "carol", "roll-x", T), bob)).isFalse();
        assertThat(s.currentLock("wp").orElseThrow().holder()).isEqualTo("alice");
        assertThat(s.replaceLock(alice, bob)).isTrue();
        assertThat(s.currentLock("wp").orElseThrow().note()).isEqualTo("broke it");
        // alice's roll, ending late, cannot free bob's lock
        assertThat(s.unlock("wp", "roll-a")).isFalse();
        assertThat(s.currentLock("wp")).isPresent();
        assertThat(s.unlock("wp", "roll-b")).isTrue();
        assertThat(s.currentLock("wp")).isEmpty();
        assertThat(s.unlock("wp", "roll-b")).isFalse();
        assertThat(s.lock(alice)).isEmpty();
    }

    @Test
    void rolls_roundTrip_newestFirst() {
        RollStore s = store();
        RollRecord first = roll("roll-1", T);
        RollRecord second = roll("roll-2", T.plusSeconds(60));
        assertThat(s.createRoll(first)).isTrue();
        assertThat(s.createRoll(first)).isFalse();
        assertThat(s.createRoll(second)).isTrue();
        RollRecord step =
                second.withHost(
                        second.host("web1")
                                .orElseThrow()
                                .sent("cmd-9")
                                .with(
                                        RollRecord.HostState.SWITCHED,
                                        "sha256:" + "b".repeat(64),
                                        "released"));
        s.saveRoll(step);
        assertThat(s.rolls("wp", 5))
                .extracting(RollRecord::rollId)
                .containsExactly("roll-2", "roll-1");
        assertThat(s.rolls("wp", 1)).extracting(RollRecord::rollId).containsExactly("roll-2");
        RollRecord read = s.roll("wp", "roll-2").orElseThrow();
        assertThat(read).isEqualTo(step);
        assertThat(read.host("web1").orElseThrow().commandId()).isEqualTo("cmd-9");
        assertThat(read.mixed())
                .contains("mixed: web1 runs sha256:bbbbbbbbbbbb, web2 runs sha256:aaaaaaaaaaaa");
        assertThat(s.rolls("other", 5)).isEmpty();
    }

    static RollRecord roll(String id, Instant at) {
        return new RollRecord(
                "wp",
                id,
                ReleaseRecord.Kind.RELEASE,
                "wordpress",
                "wp-6.5-v2",
                "sha256:" + "b".repeat(64),
                "6.5.0",
                "alice",
                at,
                "backups/wordpress/x.sql.zst",
                null,
                1,
                RollRecord.OnFailure.ROLLBACK,
                List.of(
                        RollRecord.HostStep.pending(
                                "web1",
                                "sha256:" + "b".repeat(64),
                                "sha256:" + "a".repeat(64),
                                "6.4.3"),
                        RollRecord.HostStep.pending(
                                "web2",
                                "sha256:" + "b".repeat(64),
                                "sha256:" + "a".repeat(64),
                                "6.4.3")),
                RollRecord.Status.RUNNING,
                null,
                null,
                null,
                null);
    }
}
