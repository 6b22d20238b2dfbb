package dev.quartermaster.release;

import dev.quartermaster.ledger.ImageVerdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rolling release over several hosts, with the in-memory store and a fake host per name ({@link
 * DynamoDbReleaseRollIT}: the same on DynamoDB Local).
 */
class ReleaseRollTest {
    /** Both a {@link ReleaseStore} and a {@link RollStore}. */
    protected Object newStore() {
        return new InMemoryReleaseStore();
    }

    static final String OLD = "sha256:" + "a".repeat(64);
    static final String NEW = "sha256:" + "b".repeat(64);
    static final List<String> HOSTS = List.of("web1", "web2", "web3");

    final Object store = newStore();
    final ReleaseStore releases = (ReleaseStore) store;
    final RollStore rolls = (RollStore) store;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    final FakeHosts hosts = new FakeHosts();
    final List<String> dbCalls = new ArrayList<>();
    final List<String> printed = new ArrayList<>();
    final ReleaseRoll roll =
            new ReleaseRoll(
                    rolls,
                    releases,
                    hosts,
                    key -> {
                        dbCalls.add(key);
                        return "database unchanged (test)";
                    },
                    clock,
                    printed::add);

    /** Each host switches, or fails at a step and rolls itself back, as its script would. */
    class FakeHosts implements ReleaseRoll.Hosts {
        final List<String> log = new ArrayList<>();
        final Map<String, String> failAt = new HashMap<>();
        final Set<String> returnFails = new HashSet<>();
        final Set<String> crashOnAwait = new HashSet<>();

        /** Hosts with no release recorded before: only the host's report says what ran. */
        final Set<String> unrecorded = new HashSet<>();

        int restorePoints;
        int commands;

        @Override
        public ReleaseService.Plan plan(String reference, String overrideReason, String host) {
            String digest =
                    reference.contains("@") ? reference.substring(reference.indexOf('@') + 1) : NEW;
            String prev = unrecorded.contains(host) ? null : running(host);
            return new ReleaseService.Plan(
                    "wordpress",
                    host,
                    "wordpress",
                    reference.contains("@") ? null : "wp-6.5-v2",
                    digest,
                    digest.equals(NEW) ? "6.5.0" : "6.4.3",
                    ImageVerdict.VERIFIED,
                    overrideReason,
                    prev,
                    prev == null ? null : "6.4.3");
        }

        String running(String host) {
            return ReleaseService.lastGoodIn(
                            releases.list("wordpress", host).stream()
                                    .filter(r -> r.kind() != ReleaseRecord.Kind.CHECK)
                                    .toList())
                    .map(ReleaseRecord::running)
                    .orElse(OLD);
        }

        @Override
        public String restorePoint() {
            restorePoints++;
            log.add("restore-point");
            return "backups/wordpress/rp-" + restorePoints + ".sql.zst";
        }

        @Override
        public ReleaseRecord start(
                ReleaseService.Plan plan,
                String restorePoint,
                String requestedBy,
                ReleaseRecord.Kind kind) {
            log.add("send " + kind.name().toLowerCase() + " " + plan.host());
            ReleaseRecord r =
                    new ReleaseRecord(
                            "wordpress",
                            plan.host(),
                            "cmd-" + (++commands),
                            kind,
                            ReleaseRecord.Status.RUNNING,
                            "wordpress",
                            plan.tag(),
                            plan.digest(),
                            plan.version(),
                            plan.previousDigest(),
                            requestedBy,
                            clock.instant(),
                            restorePoint,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
            releases.create(r);
            clock.advance(Duration.ofSeconds(1));
            return r;
        }

        @Override
        public ReleaseRecord await(ReleaseRecord sent) {
            log.add("await " + sent.host());
            if (crashOnAwait.remove(sent.host())) {
                throw new IllegalStateException("the laptop went away");
            }
            ReleaseRecord settled = settle(sent);
            releases.settle(settled);
            return releases.byCommandId(sent.commandId()).orElseThrow();
        }

        ReleaseRecord settle(ReleaseRecord reported) {
            String h = reported.host();
            // the host reports what it found running (release.sh's "from"), as release-status keeps
            // it
            ReleaseRecord sent =
                    reported.fromDigest() == null ? reported.withFromDigest(running(h)) : reported;
            if (sent.kind() == ReleaseRecord.Kind.ROLLBACK) {
                if (returnFails.contains(h)) {
                    return sent.settled(
                            ReleaseRecord.Status.ROLLED_BACK,
                            sent.fromDigest(),
                            "6.5.0",
                            "prove failed: health 500",
                            "[{\"step\":\"prove\",\"status\":\"failed\",\"ms\":5,\"detail\":\"health 500\"}]",
                            clock.instant());
                }
                return sent.settled(
                        ReleaseRecord.Status.RELEASED,
                        sent.toDigest(),
                        "6.4.3",
                        "proven",
                        "[]",
                        clock.instant());
            }
            if (failAt.containsKey(h)) {
                return sent.settled(
                        ReleaseRecord.Status.ROLLED_BACK,
                        sent.fromDigest(),
                        "6.4.3",
                        "the new digest did not prove itself",
                        "[{\"step\":\"pull\",\"status\":\"ok\",\"ms\":5,\"detail\":\"pulled\"},"
                                + "{\"step\":\"prove\",\"status\":\"failed\",\"ms\":9,\"detail\":\""
                                + failAt.get(h)
                                + "\"},{\"step\":\"rollback\",\"status\":\"ok\",\"ms\":3,\"detail\":\"back\"}]",
                        clock.instant());
            }
            return sent.settled(
                    ReleaseRecord.Status.RELEASED,
                    sent.toDigest(),
                    "6.5.0",
                    "proven",
                    "[]",
                    clock.instant());
        }
    }

    ReleaseRoll.Request request(List<String> on, int batch, RollRecord.OnFailure mode) {
        return new ReleaseRoll.Request(
                "wordpress", "wordpress:wp-6.5-v2", on, batch, mode, "alice", null, null);
    }

    @Test
    void rollsInOrder_inBatches_withOneRestorePoint() {
        ReleaseRoll.Result r = roll.run(request(HOSTS, 2, RollRecord.OnFailure.ROLLBACK));

        assertThat(hosts.log)
                .containsExactly(
                        "restore-point",
                        "send release web1",
                        "send release web2",
                        "await web1",
                        "await web2",
                        "send release web3",
                        "await web3");
        assertThat(r.exitCode()).isZero();
        RollRecord rec = rolls.roll("wordpress", r.roll().rollId()).orElseThrow();
        assertThat(rec.status()).isEqualTo(RollRecord.Status.DONE);
        assertThat(rec.restorePoint()).isEqualTo("backups/wordpress/rp-1.sql.zst");
        assertThat(rec.hosts())
                .extracting(RollRecord.HostStep::state)
                .containsOnly(RollRecord.HostState.SWITCHED);
        assertThat(rec.hosts()).extracting(RollRecord.HostStep::fromDigest).containsOnly(OLD);
        assertThat(rec.mixed()).isEmpty();
        for (String h : HOSTS) {
            assertThat(releases.list("wordpress", h).get(0).restorePoint())
                    .isEqualTo("backups/wordpress/rp-1.sql.zst");
            assertThat(hosts.running(h)).isEqualTo(NEW);
        }
        assertThat(rolls.currentLock("wordpress")).isEmpty();
        assertThat(dbCalls).isEmpty();
    }

    @Test
    void batchOfOne_isOneHostAtATime() {
        roll.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK));
        assertThat(hosts.log)
                .containsExactly(
                        "restore-point",
                        "send release web1",
                        "await web1",
                        "send release web2",
                        "await web2",
                        "send release web3",
                        "await web3");
    }

    @Test
    void failureOnHostK_stopsTheRoll_andReturnsTheSwitchedHosts_eachProven() {
        hosts.failAt.put("web3", "health answered 500");
        ReleaseRoll.Result r =
                roll.run(
                        request(
                                List.of("web1", "web2", "web3", "web4"),
                                1,
                                RollRecord.OnFailure.ROLLBACK));

        assertThat(hosts.log)
                .containsExactly(
                        "restore-point",
                        "send release web1",
                        "await web1",
                        "send release web2",
                        "await web2",
                        "send release web3",
                        "await web3",
                        "send rollback web1",
                        "await web1",
                        "send rollback web2",
                        "await web2");
        assertThat(r.failedHost()).isEqualTo("web3");
        assertThat(r.failedStep()).isEqualTo("prove");
        assertThat(r.failedOutput()).isEqualTo("health answered 500");
        assertThat(r.failure()).isEqualTo("web3 failed at step prove: health answered 500");
        assertThat(r.exitCode()).isEqualTo(3);
        RollRecord rec = rolls.roll("wordpress", r.roll().rollId()).orElseThrow();
        assertThat(rec.status()).isEqualTo(RollRecord.Status.FAILED);
        assertThat(rec.reason()).contains("web3 failed at step prove: health answered 500");
        assertThat(rec.hosts())
                .extracting(RollRecord.HostStep::state)
                .containsExactly(
                        RollRecord.HostState.RETURNED,
                        RollRecord.HostState.RETURNED,
                        RollRecord.HostState.FAILED,
                        RollRecord.HostState.PENDING);
        for (String h : List.of("web1", "web2", "web3", "web4")) {
            assertThat(hosts.running(h)).as(h).isEqualTo(OLD);
        }
        // the return is a proven ROLLBACK release per host, to the digest it ran before
        ReleaseRecord back = releases.list("wordpress", "web1").get(0);
        assertThat(back.kind()).isEqualTo(ReleaseRecord.Kind.ROLLBACK);
        assertThat(back.toDigest()).isEqualTo(OLD);
        assertThat(back.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
        assertThat(rec.mixed()).isEmpty();
        // the database is asked once, with the roll's restore point
        assertThat(dbCalls).containsExactly("backups/wordpress/rp-1.sql.zst");
        assertThat(rec.database()).isEqualTo("database unchanged (test)");
        assertThat(rolls.currentLock("wordpress")).isEmpty();
    }

    @Test
    void aHostWithNoReleaseRecordedBefore_isReturnedToWhatItReportedRunning() {
        hosts.unrecorded.addAll(List.of("web1", "web2"));
        hosts.failAt.put("web2", "health answered 500");
        ReleaseRoll.Result r =
                roll.run(request(List.of("web1", "web2"), 1, RollRecord.OnFailure.ROLLBACK));

        assertThat(r.exitCode()).as(r.roll().hosts().toString()).isEqualTo(3);
        RollRecord.HostStep web1 = r.roll().host("web1").orElseThrow();
        assertThat(web1.state()).isEqualTo(RollRecord.HostState.RETURNED);
        assertThat(web1.fromDigest()).isEqualTo(OLD);
        assertThat(hosts.running("web1")).isEqualTo(OLD);
        assertThat(hosts.log).contains("send rollback web1");
    }

    @Test
    void aFailedReturn_isReported_andTheDatabaseLeftAlone() {
        hosts.failAt.put("web2", "version 6.4.3 found, 6.5.0 expected");
        hosts.returnFails.add("web1");
        ReleaseRoll.Result r = roll.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK));

        assertThat(r.exitCode()).isEqualTo(4);
        RollRecord rec = r.roll();
        assertThat(rec.host("web1").orElseThrow().state())
                .isEqualTo(RollRecord.HostState.RETURN_FAILED);
        assertThat(rec.host("web1").orElseThrow().detail())
                .contains("prove")
                .contains("health 500");
        assertThat(rec.host("web2").orElseThrow().state()).isEqualTo(RollRecord.HostState.FAILED);
        assertThat(dbCalls).isEmpty();
        assertThat(rec.database()).contains("web1 is not back");
        assertThat(printed).anyMatch(l -> l.contains("web1: return_failed"));
    }

    @Test
    void stopMode_leavesTheSwitchedHosts_andTheSiteMixed() {
        hosts.failAt.put("web2", "health answered 500");
        ReleaseRoll.Result r = roll.run(request(HOSTS, 1, RollRecord.OnFailure.STOP));

        assertThat(hosts.log)
                .doesNotContain("send rollback web1")
                .doesNotContain("send release web3");
        assertThat(r.exitCode()).isEqualTo(7);
        RollRecord rec = rolls.roll("wordpress", r.roll().rollId()).orElseThrow();
        assertThat(rec.status()).isEqualTo(RollRecord.Status.STOPPED);
        assertThat(rec.host("web1").orElseThrow().state()).isEqualTo(RollRecord.HostState.SWITCHED);
        assertThat(rec.mixed())
                .contains(
                        "mixed: web1 runs sha256:bbbbbbbbbbbb, web2 runs sha256:aaaaaaaaaaaa, web3 runs sha256:aaaaaaaaaaaa");
        assertThat(dbCalls).isEmpty();
        assertThat(rolls.currentLock("wordpress")).isEmpty();

        // bin/qm rollback finishes it: every host back, the database asked once
        ReleaseRoll.Result back = roll.rollback("wordpress", "bob", null);
        assertThat(back.roll().status()).isEqualTo(RollRecord.Status.FAILED);
        assertThat(back.roll().host("web1").orElseThrow().state())
                .isEqualTo(RollRecord.HostState.RETURNED);
        assertThat(hosts.running("web1")).isEqualTo(OLD);
        assertThat(back.exitCode()).isEqualTo(3);
        assertThat(dbCalls).containsExactly("backups/wordpress/rp-1.sql.zst");
        assertThat(roll.unfinished("wordpress")).isEmpty();
    }

    @Test
    void aLockedRollbackOfEveryHost_holdsTheLockLongEnoughForAllOfThem() {
        Instant start = clock.instant();
        Instant deadline =
                roll.locked(
                        "wordpress",
                        "alice",
                        null,
                        HOSTS.size(),
                        () -> rolls.currentLock("wordpress").orElseThrow().deadline());
        assertThat(deadline).isEqualTo(start.plus(ReleaseRoll.deadline(HOSTS.size(), 1)));
        assertThat(deadline).isAfter(start.plus(ReleaseRoll.deadline(1, 1)));
        assertThat(rolls.currentLock("wordpress")).isEmpty();

        // past one host's deadline, a second operator's --force --reason cannot break it yet
        String refused =
                roll.locked(
                        "wordpress",
                        "alice",
                        null,
                        HOSTS.size(),
                        () -> {
                            clock.advance(ReleaseRoll.deadline(1, 1).plusMinutes(1));
                            try {
                                roll.locked("wordpress", "bob", "alice is gone", () -> "taken");
                                return "taken";
                            } catch (ReleaseService.Refused e) {
                                return e.getMessage();
                            }
                        });
        assertThat(refused).contains("deadline has not passed");
        // one host: the one-host deadline, as before
        assertThat(
                        roll.locked(
                                "wordpress",
                                "alice",
                                null,
                                () -> rolls.currentLock("wordpress").orElseThrow().deadline()))
                .isEqualTo(clock.instant().plus(ReleaseRoll.deadline(1, 1)));
    }

    @Test
    void aSecondRelease_isRefusedNamingTheHolder_andAStaleLockBrokenOnlyWithAReason() {
        Instant since = clock.instant().minus(Duration.ofMinutes(10));
        rolls.lock(
                new ReleaseLock(
                        "wordpress",
                        "bob",
                        since,
                        "roll-bob",
                        since.plus(Duration.ofHours(1)),
                        null));

        assertThatThrownBy(() -> roll.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK)))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("bob since " + since)
                .hasMessageContaining("roll-bob")
                .hasMessageContaining("--force --reason");
        // --force --reason does not break a lock before its deadline
        assertThatThrownBy(
                        () ->
                                roll.run(
                                        new ReleaseRoll.Request(
                                                "wordpress",
                                                "wordpress:wp-6.5-v2",
                                                HOSTS,
                                                1,
                                                RollRecord.OnFailure.ROLLBACK,
                                                "alice",
                                                null,
                                                "bob is gone")))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("deadline has not passed");
        assertThat(hosts.log).isEmpty();
        assertThat(rolls.rolls("wordpress", 5)).isEmpty();

        clock.advance(Duration.ofHours(2));
        ReleaseRoll.Result r =
                roll.run(
                        new ReleaseRoll.Request(
                                "wordpress",
                                "wordpress:wp-6.5-v2",
                                HOSTS,
                                1,
                                RollRecord.OnFailure.ROLLBACK,
                                "alice",
                                null,
                                "bob's laptop died mid-roll"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.roll().lockNote())
                .contains("broke the stale lock of bob")
                .contains("roll-bob")
                .contains("bob's laptop died mid-roll");
        assertThat(rolls.currentLock("wordpress")).isEmpty();
    }

    @Test
    void aRollInterruptedBetweenHosts_isResumed_withItsDigestAndRestorePoint() {
        hosts.crashOnAwait.add("web2");
        assertThatThrownBy(() -> roll.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK)))
                .hasMessageContaining("laptop went away");
        RollRecord left = roll.unfinished("wordpress").orElseThrow();
        assertThat(left.status()).isEqualTo(RollRecord.Status.RUNNING);
        assertThat(left.host("web1").orElseThrow().state())
                .isEqualTo(RollRecord.HostState.SWITCHED);
        RollRecord.HostStep web2 = left.host("web2").orElseThrow();
        assertThat(web2.state()).isEqualTo(RollRecord.HostState.PENDING);
        assertThat(web2.commandId()).isNotNull();
        assertThat(left.mixed())
                .contains(
                        "mixed: web1 runs sha256:bbbbbbbbbbbb, web2 runs unknown, web3 runs sha256:aaaaaaaaaaaa");
        // a dead laptop keeps its lock: the resume takes it over (same roll)
        rolls.lock(
                new ReleaseLock(
                        "wordpress",
                        "alice",
                        left.startedAt(),
                        left.rollId(),
                        left.startedAt().plus(Duration.ofHours(3)),
                        null));
        // another roll is refused meanwhile
        assertThatThrownBy(() -> roll.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK)))
                .hasMessageContaining("alice since");
        // web2 has not reported yet: resuming now would race it
        assertThatThrownBy(() -> roll.resume("wordpress", "bob", null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("web2 is still releasing");
        // the host finishes on its own; then the resume continues from web3
        ReleaseRecord sent = releases.byCommandId(web2.commandId()).orElseThrow();
        releases.settle(hosts.settle(sent));
        rolls.lock(
                new ReleaseLock(
                        "wordpress",
                        "alice",
                        left.startedAt(),
                        left.rollId(),
                        left.startedAt().plus(Duration.ofHours(3)),
                        null));
        hosts.log.clear();

        ReleaseRoll.Result r = roll.resume("wordpress", "bob", null);

        assertThat(hosts.log).containsExactly("send release web3", "await web3");
        assertThat(hosts.restorePoints).isEqualTo(1);
        assertThat(r.exitCode()).isZero();
        assertThat(r.roll().rollId()).isEqualTo(left.rollId());
        assertThat(r.roll().requestedBy()).isEqualTo("bob");
        assertThat(r.roll().lockNote()).contains("resumed by bob").contains("took over the lock");
        assertThat(releases.list("wordpress", "web3").get(0).restorePoint())
                .isEqualTo("backups/wordpress/rp-1.sql.zst");
        assertThat(releases.list("wordpress", "web3").get(0).toDigest()).isEqualTo(NEW);
        assertThat(rolls.currentLock("wordpress")).isEmpty();
        assertThatThrownBy(() -> roll.resume("wordpress", "bob", null))
                .hasMessageContaining("no unfinished roll");
    }

    @Test
    void aStoppedRoll_isResumed_fromItsFailedHost() {
        hosts.failAt.put("web2", "health answered 500");
        roll.run(request(HOSTS, 1, RollRecord.OnFailure.STOP));
        hosts.failAt.clear();
        hosts.log.clear();

        ReleaseRoll.Result r = roll.resume("wordpress", "alice", null);

        assertThat(hosts.log)
                .containsExactly(
                        "send release web2", "await web2", "send release web3", "await web3");
        assertThat(r.roll().status()).isEqualTo(RollRecord.Status.DONE);
        assertThat(r.roll().mixed()).isEmpty();
    }

    @Test
    void oneHost_isOneHost() {
        ReleaseRoll.Result r = roll.run(request(List.of("web2"), 1, RollRecord.OnFailure.ROLLBACK));
        assertThat(hosts.log).containsExactly("restore-point", "send release web2", "await web2");
        assertThat(r.roll().hosts()).extracting(RollRecord.HostStep::host).containsExactly("web2");
        assertThat(hosts.running("web1")).isEqualTo(OLD);
    }

    @Test
    void aRestorePointThatFails_switchesNothing_andFreesTheLock() {
        ReleaseRoll failing =
                new ReleaseRoll(
                        rolls,
                        releases,
                        new FakeHosts() {
                            @Override
                            public String restorePoint() {
                                throw new IllegalStateException("dump failed");
                            }
                        },
                        DatabaseReturn.NONE,
                        clock,
                        printed::add);
        assertThatThrownBy(() -> failing.run(request(HOSTS, 1, RollRecord.OnFailure.ROLLBACK)))
                .hasMessageContaining("dump failed");
        RollRecord rec = rolls.rolls("wordpress", 1).get(0);
        assertThat(rec.status()).isEqualTo(RollRecord.Status.FAILED);
        assertThat(rec.reason()).contains("nothing was switched");
        assertThat(rolls.currentLock("wordpress")).isEmpty();
        assertThat(releases.list("wordpress", "web1")).isEmpty();
    }

    @Test
    void batchBelowOne_isRefused() {
        assertThatThrownBy(() -> request(HOSTS, 0, RollRecord.OnFailure.ROLLBACK))
                .hasMessageContaining("at least 1");
    }
}
