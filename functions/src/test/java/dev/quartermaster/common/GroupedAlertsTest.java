package dev.quartermaster.common;

import dev.quartermaster.common.AlertLog.Window;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The grouping rules on the alert log's twin: what goes out at once, what is counted, what is
 * summarised once.
 */
class GroupedAlertsTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    final InMemoryAlertLog log = new InMemoryAlertLog();
    final RecordingAlerts out = new RecordingAlerts();
    final TestClock clock = new TestClock(T0);
    final GroupedAlerts alerts = new GroupedAlerts(log, out, clock, HOUR, 3);

    static Alert mismatch(String tag) {
        return new Alert(
                "MISMATCH",
                "MISMATCH: wordpress:" + tag + " promises 6.4 but holds 6.5.5",
                "Image wordpress:" + tag + " lies.",
                Map.of("repository", "wordpress", "tag", tag, "digest", "sha256:" + "a".repeat(64)),
                "bin/qm ledger wordpress:" + tag + " --aws");
    }

    @Test
    void publish_sendsTheFirstAtOnce_andOnlyCountsRepeatsWithinTheWindow() {
        alerts.publish(mismatch("wp-6.4-v3"));
        clock.advance(Duration.ofMinutes(10));
        alerts.publish(mismatch("wp-6.4-v3"));
        clock.advance(Duration.ofMinutes(40));
        alerts.publish(mismatch("wp-6.4-v3"));

        assertThat(out.published()).hasSize(1);
        assertThat(out.published().get(0).next())
                .isEqualTo("bin/qm ledger wordpress:wp-6.4-v3 --aws");
        Window w = log.since(T0, 10).get(0);
        assertThat(w.count()).isEqualTo(3);
        assertThat(w.firstAt()).isEqualTo(T0);
        assertThat(w.lastAt()).isEqualTo(T0.plus(Duration.ofMinutes(50)));
        assertThat(w.published()).isTrue();
    }

    @Test
    void sweep_summarisesTheRepeatsOnce_whenTheWindowHasEnded() {
        alerts.publish(mismatch("wp-6.4-v3"));
        clock.advance(Duration.ofMinutes(5));
        alerts.publish(mismatch("wp-6.4-v3"));
        alerts.publish(mismatch("wp-6.4-v3"));

        assertThat(alerts.sweep()).as("the window is still open").isZero();
        clock.advance(HOUR);
        assertThat(alerts.sweep()).isEqualTo(1);
        assertThat(alerts.sweep()).as("summarised once").isZero();

        assertThat(out.published()).hasSize(2);
        Alert summary = out.published().get(1);
        assertThat(summary.kind()).isEqualTo("MISMATCH");
        assertThat(summary.subject())
                .startsWith("MISMATCH: 2 more since 10:00 UTC: wordpress:wp-6.4-v3");
        assertThat(summary.message())
                .startsWith(
                        "2 more MISMATCH for wordpress:wp-6.4-v3 since the alert of 2026-12-01T10:00:00Z")
                .contains("3 in all")
                .contains("Image wordpress:wp-6.4-v3 lies.");
        assertThat(summary.next()).isEqualTo("bin/qm ledger wordpress:wp-6.4-v3 --aws");
        assertThat(log.since(T0, 10).get(0).settled()).isTrue();
    }

    @Test
    void
            anOccurrenceAfterTheWindow_opensANewOne_andSaysHowManyCameBefore_soNothingIsLostOrSentTwice() {
        alerts.publish(mismatch("wp-6.4-v3"));
        alerts.publish(mismatch("wp-6.4-v3"));
        alerts.publish(mismatch("wp-6.4-v3"));
        clock.advance(Duration.ofMinutes(61));
        alerts.publish(mismatch("wp-6.4-v3"));
        clock.advance(Duration.ofMinutes(1));
        alerts.publish(mismatch("wp-6.4-v3"));

        assertThat(out.published()).hasSize(2);
        assertThat(out.published().get(1).message())
                .startsWith("Before this, 2 more since the alert of 2026-12-01T10:00:00Z");
        clock.advance(Duration.ofHours(2));
        assertThat(alerts.sweep()).as("only the second window's repeat is still owed").isEqualTo(1);
        assertThat(out.published().get(2).subject()).startsWith("MISMATCH: 1 more since 11:01 UTC");

        List<Window> windows = log.since(T0, 10);
        assertThat(windows).extracting(Window::count).containsExactly(2L, 3L);
        assertThat(windows.stream().mapToLong(Window::count).sum())
                .as("every occurrence counted")
                .isEqualTo(5);
        assertThat(windows).allMatch(Window::settled);
    }

    @Test
    void distinctSubjects_areAlertedEachOnTheirOwn() {
        alerts.publish(mismatch("wp-6.4-v3"));
        alerts.publish(mismatch("wp-6.4-v4"));
        alerts.publish(
                new Alert(
                        "TAG_MOVED",
                        "Tag moved: wordpress:wp-6.4-v3",
                        "moved",
                        Map.of("repository", "wordpress", "tag", "wp-6.4-v3")));

        assertThat(out.kinds()).containsExactly("MISMATCH", "MISMATCH", "TAG_MOVED");
    }

    @Test
    void aFlood_sendsTheFirstFewOnTheirOwn_andOneSummaryNamingHowManyAndTheFirstFew() {
        for (int i = 1; i <= 12; i++) {
            alerts.publish(mismatch("lie-" + i));
            alerts.publish(mismatch("lie-" + i)); // and each again: counted, never sent
        }
        assertThat(out.published()).as("the threshold (3), one by one").hasSize(3);
        assertThat(log.since(T0, 100)).hasSize(12).allMatch(w -> w.count() == 2);
        assertThat(log.since(T0, 100).stream().filter(Window::held)).hasSize(9);

        clock.advance(HOUR);
        alerts.sweep();
        alerts.sweep();

        List<Alert> floods =
                out.published().stream()
                        .filter(a -> a.kind().equals(GroupedAlerts.FLOOD_KIND))
                        .toList();
        assertThat(floods).hasSize(1);
        Alert flood = floods.get(0);
        assertThat(flood.subject()).isEqualTo("MISMATCH flood: 12 subjects in 60 min");
        assertThat(flood.message())
                .contains("the first 3 were alerted one by one, 9 more were logged")
                .contains(
                        "The first: wordpress:lie-1, wordpress:lie-2, wordpress:lie-3, wordpress:lie-4, wordpress:lie-5 and 7 more.");
        assertThat(flood.next())
                .isEqualTo("bin/qm alerts --kind MISMATCH --since 2026-12-01T10:00:00Z --aws");
        assertThat(out.published().stream().filter(a -> a.kind().equals("MISMATCH")))
                .as("the three alerted ones' repeats, summarised")
                .hasSize(3 + 3);
        assertThat(log.since(T0, 100))
                .as("the flood summary is logged like any alert")
                .anyMatch(
                        w ->
                                w.key().kind().equals(GroupedAlerts.FLOOD_KIND)
                                        && w.key().subject().equals("MISMATCH")
                                        && w.published());
    }

    @Test
    void aFloodThatEnded_isSummarisedByTheNextSubjectToo_once() {
        for (int i = 1; i <= 5; i++) {
            alerts.publish(mismatch("lie-" + i));
        }
        clock.advance(Duration.ofMinutes(61));
        alerts.publish(mismatch("lie-6"));
        alerts.sweep();

        assertThat(out.published().stream().filter(a -> a.kind().equals(GroupedAlerts.FLOOD_KIND)))
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.subject())
                                        .isEqualTo("MISMATCH flood: 5 subjects in 60 min"));
        assertThat(out.published().stream().filter(a -> a.subject().contains("lie-6")))
                .as("a new window: alerted")
                .hasSize(1);
    }

    @Test
    void aFirstAlertTheTopicRefused_isDeliveredLater_byARepeatOrTheSweep_withItsCount() {
        out.failNextWith(new IllegalStateException("SNS is down"));
        assertThatThrownBy(() -> alerts.publish(mismatch("wp-6.4-v3"))).hasMessage("SNS is down");
        assertThat(log.since(T0, 10).get(0).published()).isFalse();

        clock.advance(Duration.ofSeconds(5));
        alerts.publish(mismatch("wp-6.4-v3"));
        assertThat(out.published())
                .as("within the claim: the first writer may still deliver it")
                .isEmpty();

        clock.advance(AlertLog.CLAIM_TIMEOUT);
        assertThat(alerts.sweep()).isEqualTo(1);
        assertThat(out.published())
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.message())
                                    .startsWith(
                                            "This alert, first raised at 2026-12-01T10:00:00Z, is delivered late (2 occurrences since");
                            assertThat(a.subject())
                                    .isEqualTo(
                                            "MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5");
                        });
        assertThat(alerts.sweep()).isZero();
    }

    @Test
    void aRepeatAfterTheClaimRanOut_deliversTheUndeliveredFirst() {
        out.failNextWith(new IllegalStateException("SNS is down"));
        assertThatThrownBy(() -> alerts.publish(mismatch("wp-6.4-v3")));
        clock.advance(Duration.ofMinutes(2));
        alerts.publish(mismatch("wp-6.4-v3"));

        assertThat(out.published()).hasSize(1);
        assertThat(log.since(T0, 10).get(0).published()).isTrue();
    }

    @Test
    void anAlertDeliveredElsewhere_isLoggedAndCounted_neverPublishedOrSummarisedHere() {
        Alert alarm =
                new Alert(
                        "ALARM",
                        "ALARM: Quartermaster-BackupAgeAlarm",
                        "no backup",
                        Map.of(
                                "subject",
                                "Quartermaster-BackupAgeAlarm",
                                GroupedAlerts.DELIVERED_BY,
                                "its CloudWatch alarm action"));
        alerts.logDelivered(alarm);
        alerts.logDelivered(alarm);
        clock.advance(Duration.ofMinutes(61));
        alerts.sweep();

        assertThat(out.published()).isEmpty();
        assertThat(log.since(T0, 10))
                .singleElement()
                .satisfies(
                        w -> {
                            assertThat(w.count()).isEqualTo(2);
                            assertThat(w.published()).isTrue();
                            assertThat(w.settled()).isTrue();
                        });
    }

    @Test
    void whenTheLogCannotBeWritten_theAlertStillGoesOut() {
        AlertLog broken =
                new InMemoryAlertLog() {
                    @Override
                    public synchronized Optional<Window> count(
                            AlertLog.Key key, Instant at, String subject) {
                        throw new IllegalStateException("DynamoDB is down");
                    }
                };
        new GroupedAlerts(broken, out, clock, HOUR, 3).publish(mismatch("wp-6.4-v3"));

        assertThat(out.kinds()).containsExactly("MISMATCH");
    }

    @Test
    void concurrentRaisersOfOneAlert_publishItOnce_andCountEveryOccurrence() throws Exception {
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < writers; i++) {
            pool.submit(
                    () -> {
                        go.await();
                        alerts.publish(mismatch("wp-6.4-v3"));
                        return null;
                    });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out.published()).hasSize(1);
        assertThat(log.since(T0, 10))
                .singleElement()
                .satisfies(w -> assertThat(w.count()).isEqualTo(writers));
    }
}
