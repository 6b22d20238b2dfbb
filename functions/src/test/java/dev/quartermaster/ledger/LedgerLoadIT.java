package dev.quartermaster.ledger;

import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load, as a test of counts (not of speed): 2,000 ECR push events over 20 tags from 16 threads, 10%
 * of them delivered twice, through the real handler against DynamoDB Local. Every tag's history
 * must be complete with no duplicate entry, and every head must equal the tag's last push.
 */
class LedgerLoadIT {
    private static final int EVENTS = 2_000;
    private static final int TAGS = 20;
    private static final int THREADS = 16;

    private static String event(String id, Instant at, String tag, String digest) {
        return Fixtures.text("image-action-push.json")
                .replaceFirst("\"id\": \"[^\"]+\"", "\"id\": \"" + id + "\"")
                .replaceFirst("\"time\": \"[^\"]+\"", "\"time\": \"" + at + "\"")
                .replaceFirst("\"image-tag\": \"[^\"]+\"", "\"image-tag\": \"" + tag + "\"")
                .replaceFirst(
                        "\"image-digest\": \"[^\"]+\"", "\"image-digest\": \"" + digest + "\"");
    }

    @Test
    void
            twoThousandEventsFromSixteenThreadsWithDuplicates_everyHistoryCompleteAndEveryHeadTheLastPush()
                    throws Exception {
        var services =
                LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts());
        ImageActionHandler handler =
                new ImageActionHandler(
                        new ImageLedger(LedgerRoot.store(services), services.alerts()));
        Random random = new Random(42);
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        List<String> deliveries = new ArrayList<>();
        Map<String, String> lastDigest = new HashMap<>();
        Map<String, Integer> pushesPerTag = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String tag = "tag-" + (i % TAGS);
            String digest = "sha256:" + String.format("%064x", random.nextInt(50));
            String e = event("load-" + i, start.plusSeconds(i), tag, digest);
            deliveries.add(e);
            if (i % 10 == 0) {
                deliveries.add(e); // at-least-once: 10% arrive twice
            }
            lastDigest.put(tag, digest);
            pushesPerTag.merge(tag, 1, Integer::sum);
        }
        Collections.shuffle(deliveries, random);

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<String>> results = new ArrayList<>();
        for (String d : deliveries) {
            results.add(
                    pool.submit(
                            () ->
                                    dev.quartermaster.testutils.Invoke.handler(
                                                    handler, d.getBytes(StandardCharsets.UTF_8))
                                            .path("status")
                                            .asText()));
        }
        Map<String, Integer> statuses = new HashMap<>();
        for (Future<String> f : results) {
            statuses.merge(f.get(), 1, Integer::sum);
        }
        pool.shutdown();

        assertThat(statuses)
                .containsEntry("RECORDED", EVENTS)
                .containsEntry("DUPLICATE", EVENTS / 10)
                .hasSize(2);
        var store = LedgerRoot.store(services);
        for (int t = 0; t < TAGS; t++) {
            String tag = "tag-" + t;
            var history = store.history("wordpress", tag);
            Set<String> ids = new HashSet<>();
            history.forEach(h -> ids.add(h.eventId()));
            assertThat(history).as(tag).hasSize(pushesPerTag.get(tag));
            assertThat(ids).as(tag + " has no duplicate entries").hasSize(history.size());
            assertThat(store.head("wordpress", tag).orElseThrow().digest())
                    .as(tag)
                    .isEqualTo(lastDigest.get(tag));
        }
    }
}
