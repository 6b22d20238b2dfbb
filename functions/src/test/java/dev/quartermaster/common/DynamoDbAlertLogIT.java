package dev.quartermaster.common;

import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert log on DynamoDB Local (its table as the stack defines it, both indexes), against the
 * twin's contract.
 */
class DynamoDbAlertLogIT extends AlertLogContract {
    private static final String TABLE = "alerts-" + java.util.UUID.randomUUID();
    private static final DynamoDbAlertLog LOG;

    static {
        try (var client = LocalLedger.dynamo().client()) {
            LocalDynamoDb.createAlertTable(client, TABLE);
        }
        LOG = new DynamoDbAlertLog(LocalLedger.dynamo().client(), TABLE, Duration.ofDays(90));
    }

    @Override
    protected AlertLog log() {
        return LOG;
    }

    /**
     * Concurrent Lambdas raising one alert and a burst of distinct ones: counted atomically,
     * published once, the flood held back.
     */
    @Test
    void concurrentRaisers_publishOnce_countEveryOccurrence_andHoldTheFloodBack() throws Exception {
        RecordingAlerts out = new RecordingAlerts();
        TestClock clock = new TestClock(T0.plus(Duration.ofDays(30)));
        GroupedAlerts alerts = new GroupedAlerts(LOG, out, clock, HOUR, 3);
        String kind =
                "FLOOD_TEST_"
                        + java.util.UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        Alert same =
                new Alert(kind, kind + ": one", "m", java.util.Map.of("subject", "one-" + kind));
        List<Callable<Void>> work = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            work.add(
                    () -> {
                        alerts.publish(same);
                        return null;
                    });
        }
        for (int i = 0; i < 8; i++) {
            String s = "other-" + i;
            work.add(
                    () -> {
                        alerts.publish(
                                new Alert(
                                        kind,
                                        kind + ": " + s,
                                        "m",
                                        java.util.Map.of("subject", s)));
                        return null;
                    });
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Void>> done = new ArrayList<>();
        for (Callable<Void> w : work) {
            done.add(
                    pool.submit(
                            () -> {
                                go.await();
                                return w.call();
                            }));
        }
        go.countDown();
        for (Future<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        var windows =
                LOG.since(clock.instant(), 1000).stream()
                        .filter(w -> w.key().kind().equals(kind))
                        .toList();
        assertThat(windows).hasSize(9);
        assertThat(
                        windows.stream()
                                .filter(w -> w.key().subject().equals("one-" + kind))
                                .findFirst()
                                .orElseThrow()
                                .count())
                .isEqualTo(12);
        assertThat(out.published()).as("the first 3 subjects one by one").hasSize(3);
        assertThat(windows.stream().filter(AlertLog.Window::held)).hasSize(6);
        assertThat(LOG.current(AlertLog.Key.flood(kind)).orElseThrow().count()).isEqualTo(9);

        clock.advance(HOUR);
        alerts.sweep();
        assertThat(
                        out.published().stream()
                                .filter(
                                        a ->
                                                a.kind().equals(GroupedAlerts.FLOOD_KIND)
                                                        && a.subject().startsWith(kind)))
                .singleElement()
                .satisfies(
                        a ->
                                assertThat(a.subject())
                                        .isEqualTo(kind + " flood: 9 subjects in 60 min"));
    }
}
