package dev.quartermaster.common;

import dev.quartermaster.common.AlertLog.Key;
import dev.quartermaster.common.AlertLog.Window;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link AlertLog} does; run on the in-memory twin and on DynamoDB Local. */
abstract class AlertLogContract {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    protected abstract AlertLog log();

    /** A fresh subject per test: the DynamoDB store's table is shared by the tests of one class. */
    static Alert alert(String kind) {
        return new Alert(
                kind,
                kind + ": wordpress:wp-6.4-v3",
                "the message",
                Map.of("repository", "wordpress", "tag", "wp-6.4-v3-" + UUID.randomUUID()),
                "bin/qm ledger wordpress:wp-6.4-v3");
    }

    @Test
    void count_addsToTheOpenWindowOnly() {
        AlertLog log = log();
        Alert a = alert("MISMATCH");
        Key key = Key.group(a.kind(), a.subjectKey());
        assertThat(log.count(key, T0, null)).as("no window yet").isEmpty();

        Window opened = log.open(Window.first(a, T0, HOUR), null, null).orElseThrow();
        assertThat(opened.count()).isEqualTo(1);
        assertThat(opened.version()).isZero();
        assertThat(log.count(key, T0.plusSeconds(60), null))
                .get()
                .satisfies(
                        w -> {
                            assertThat(w.count()).isEqualTo(2);
                            assertThat(w.lastAt()).isEqualTo(T0.plusSeconds(60));
                            assertThat(w.version())
                                    .as("counting changes no delivery state")
                                    .isZero();
                        });
        assertThat(log.count(key, T0.plus(HOUR), null)).as("the window ended").isEmpty();

        Window read = log.current(key).orElseThrow();
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.title()).isEqualTo(a.subject());
        assertThat(read.message()).isEqualTo("the message");
        assertThat(read.next()).isEqualTo("bin/qm ledger wordpress:wp-6.4-v3");
        assertThat(read.attributes()).containsEntry("repository", "wordpress");
        assertThat(read.firstAt()).isEqualTo(T0);
        assertThat(read.end()).isEqualTo(T0.plus(HOUR));
    }

    @Test
    void open_isOnceForANewKey_andReplacesOnlyTheWindowAsRead() {
        AlertLog log = log();
        Alert a = alert("TAG_MOVED");
        Window first = log.open(Window.first(a, T0, HOUR), null, null).orElseThrow();
        assertThat(log.open(Window.first(a, T0, HOUR), null, null))
                .as("a second writer opening the same key")
                .isEmpty();

        Key key = first.key();
        log.count(key, T0.plusSeconds(10), null);
        Instant later = T0.plus(HOUR).plusSeconds(5);
        assertThat(log.open(Window.first(a, later, HOUR), first, first.settledNow()))
                .as("stale: counted since read")
                .isEmpty();

        Window ended = log.current(key).orElseThrow();
        Window second =
                log.open(Window.first(a, later, HOUR), ended, ended.settledNow()).orElseThrow();
        assertThat(second.version())
                .as("one past the replaced window's")
                .isEqualTo(ended.version() + 1);
        assertThat(log.current(key).orElseThrow().firstAt()).isEqualTo(later);
        assertThat(log.open(Window.first(a, later.plusSeconds(1), HOUR), ended, ended.settledNow()))
                .as("replaced already")
                .isEmpty();

        assertThat(log.since(T0, 100).stream().filter(w -> w.key().equals(key)))
                .as("the current window and the closed one, newest first")
                .extracting(Window::firstAt, Window::count, Window::settled)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(later, 1L, false),
                        org.assertj.core.groups.Tuple.tuple(T0, 2L, true));
        assertThat(log.since(later, 100).stream().filter(w -> w.key().equals(key)))
                .extracting(Window::firstAt)
                .containsExactly(later);
    }

    @Test
    void update_isConditionalOnTheVersion_andKeepsWhatWasCountedMeanwhile() {
        AlertLog log = log();
        Alert a = alert("FAILED_SCAN");
        Window w = log.open(Window.first(a, T0, HOUR), null, null).orElseThrow();
        log.count(w.key(), T0.plusSeconds(30), null);

        Window delivered = log.update(w.delivered()).orElseThrow();
        assertThat(delivered.published()).isTrue();
        assertThat(delivered.count()).as("the repeat counted after the read stays").isEqualTo(2);
        assertThat(delivered.version()).isEqualTo(w.version() + 1);
        assertThat(log.update(w.heldBack())).as("read before the delivery was recorded").isEmpty();
        assertThat(log.current(w.key()).orElseThrow().held()).isFalse();
    }

    @Test
    void due_listsWhatEndedUnsettled_andWhatNobodyDelivered() {
        AlertLog log = log();
        Alert delivered = alert("BACKUP_FAILED");
        Alert stuck = alert("DRILL_FAILED");
        Window d =
                log.update(
                                log.open(Window.first(delivered, T0, HOUR), null, null)
                                        .orElseThrow()
                                        .delivered())
                        .orElseThrow();
        Window s = log.open(Window.first(stuck, T0, HOUR), null, null).orElseThrow();

        assertThat(keys(log, T0.plusSeconds(10)))
                .as("nothing ended, the claim holds")
                .doesNotContain(d.key(), s.key());
        assertThat(keys(log, T0.plus(AlertLog.CLAIM_TIMEOUT)))
                .as("the undelivered one, once its claim ran out")
                .contains(s.key())
                .doesNotContain(d.key());
        assertThat(keys(log, T0.plus(HOUR))).as("both, once ended").contains(d.key(), s.key());

        log.update(log.current(d.key()).orElseThrow().settledNow());
        assertThat(keys(log, T0.plus(HOUR)))
                .as("settled: not due any more")
                .doesNotContain(d.key())
                .contains(s.key());
    }

    @Test
    void floodWindows_rememberTheFirstFewSubjects_andAreNotLogEntries() {
        AlertLog log = log();
        String kind = "MISMATCH_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        Key key = Key.flood(kind);
        assertThat(log.open(Window.flood(kind, "s1", T0, HOUR), null, null))
                .as("the flood window opens")
                .isPresent();
        for (int i = 2; i <= 8; i++) {
            log.count(key, T0.plusSeconds(i), "s" + i);
        }
        Window f = log.current(key).orElseThrow();
        assertThat(f.count()).isEqualTo(8);
        assertThat(f.subjects()).containsExactly("s1", "s2", "s3", "s4", "s5");
        assertThat(log.since(T0, 1000)).noneMatch(w -> w.key().equals(key));
        assertThat(keys(log, T0.plus(HOUR)))
                .as("a flood window is settled when it ends")
                .contains(key);
    }

    private static java.util.List<Key> keys(AlertLog log, Instant now) {
        return log.due(now, 1000).stream().map(Window::key).toList();
    }
}
