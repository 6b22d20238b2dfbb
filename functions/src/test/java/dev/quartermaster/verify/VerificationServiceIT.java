package dev.quartermaster.verify;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryException;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.LocalRegistries;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Verification claims its work before acting, and never leaves an event only in a dead-letter
 * queue.
 */
class VerificationServiceIT {
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final dev.quartermaster.common.Platform services =
            LocalLedger.platform(LocalLedger.freshTableSettings(), alerts);

    private VerificationService service(RegistryClient client) {
        return new VerificationService(
                new ImageVerifier(client, VerifyRules.defaults()),
                LedgerRoot.store(services),
                IdempotencyRoot.store(services),
                services.alerts(),
                Clock.systemUTC());
    }

    @Test
    void verifyPush_whenDeliveriesRace_verifiesAndAlertsOnce() throws Exception {
        String repo = "race-" + UUID.randomUUID().toString().substring(0, 8);
        String digest =
                new OciImages.Pusher(LocalRegistries.shared().url())
                        .push(repo, "wp-6.4-v3", OciImages.wordpressLike("6.5.5", 1, 10_000, 0));
        VerificationService service =
                service(
                        new RegistryClient(
                                LocalRegistries.shared().url(), RegistryAuth.anonymous()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Optional<VerificationService.Verified>>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(
                    pool.submit(
                            () ->
                                    service.verifyPush(
                                            "same-event",
                                            repo,
                                            digest,
                                            "wp-6.4-v3",
                                            VerifyBudget.of(Duration.ofMinutes(1)))));
        }
        int reports = 0;
        for (var f : results) {
            reports += f.get().isPresent() ? 1 : 0;
        }
        pool.shutdown();

        assertThat(reports).isEqualTo(1);
        assertThat(alerts.kinds()).containsExactly("MISMATCH");
        assertThat(
                        LedgerRoot.store(services)
                                .image(repo, digest)
                                .orElseThrow()
                                .verification()
                                .verdict())
                .isEqualTo(dev.quartermaster.ledger.ImageVerdict.MISMATCH);
    }

    @Test
    void verifyPush_whenTheRegistryStaysDown_theLastDeliveryRecordsUnverifiableAndAlerts()
            throws Exception {
        HttpServer down = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        down.createContext(
                "/",
                ex -> {
                    ex.sendResponseHeaders(503, -1);
                    ex.close();
                });
        down.start();
        try {
            VerificationService service =
                    service(
                            new RegistryClient(
                                    "http://127.0.0.1:" + down.getAddress().getPort(),
                                    RegistryAuth.anonymous()));
            String digest = "sha256:" + "b".repeat(64);
            for (int delivery = 1; delivery < VerificationService.ATTEMPTS; delivery++) {
                assertThatThrownBy(
                                () ->
                                        service.verifyPush(
                                                "down-event",
                                                "wordpress",
                                                digest,
                                                "wp-6.4-v1",
                                                VerifyBudget.of(Duration.ofMinutes(1))))
                        .isInstanceOfSatisfying(
                                RegistryException.class, e -> assertThat(e.isTransient()).isTrue());
            }
            assertThat(alerts.published()).isEmpty();

            var last =
                    service.verifyPush(
                            "down-event",
                            "wordpress",
                            digest,
                            "wp-6.4-v1",
                            VerifyBudget.of(Duration.ofMinutes(1)));

            assertThat(last)
                    .get()
                    .extracting(r -> r.verdict().kind())
                    .isEqualTo(ImageVerdict.UNVERIFIABLE);
            assertThat(
                            LedgerRoot.store(services)
                                    .image("wordpress", digest)
                                    .orElseThrow()
                                    .verification()
                                    .reason())
                    .contains("kept failing");
            assertThat(alerts.kinds()).containsExactly("UNVERIFIABLE");
        } finally {
            down.stop(0);
        }
    }
}
