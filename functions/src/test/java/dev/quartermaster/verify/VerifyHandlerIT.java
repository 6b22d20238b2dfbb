package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.ledger.ImageActionHandler;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.LocalRegistries;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * image-action then image-verify, as the two rule targets run in AWS, against the local registry.
 */
class VerifyHandlerIT {
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final OciImages.Pusher pusher = new OciImages.Pusher(LocalRegistries.shared().url());
    private final String repo = "wp-" + UUID.randomUUID().toString().substring(0, 8);
    private VerifyHandler verify;
    private ImageActionHandler ledgerHandler;
    private LedgerStore store;

    @BeforeEach
    void setUp() {
        Map<String, String> settings = new HashMap<>(LocalLedger.freshTableSettings());
        settings.put("REGISTRY_URL", LocalRegistries.shared().url());
        var services = LocalLedger.platform(settings, alerts);
        verify = new VerifyHandler(VerifyRoot.verification(services));
        ledgerHandler =
                new ImageActionHandler(
                        new dev.quartermaster.ledger.ImageLedger(
                                LedgerRoot.store(services), services.alerts()));
        store = LedgerRoot.store(services);
    }

    static byte[] pushEvent(String id, String repo, String tag, String digest, String mediaType) {
        return Fixtures.text("image-action-push.json")
                .replace("6a7e8feb-b491-4cf7-a9f1-bf3703467718", id)
                .replace("\"wordpress\"", "\"" + repo + "\"")
                .replace("\"wp-6.4-v1\"", "\"" + tag + "\"")
                .replace(
                        "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
                        digest)
                .replace(
                        "\"manifest-media-type\": \"application/vnd.oci.image.manifest.v1+json\"",
                        "\"manifest-media-type\": \"" + mediaType + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void handle_whenTagLies_recordsMismatchOnLedgerAndAlerts() {
        String digest =
                pusher.push(repo, "wp-6.4-v3", OciImages.wordpressLike("6.5.5", 1, 1000, 0));
        byte[] event = pushEvent("ev-lie", repo, "wp-6.4-v3", digest, OciImages.MANIFEST);

        Invoke.handler(ledgerHandler, event);
        JsonNode result = Invoke.handler(verify, event);

        assertThat(result.path("details").path("verdict").asText()).isEqualTo("MISMATCH");
        var image = store.image(repo, digest).orElseThrow();
        assertThat(image.verdict()).isEqualTo(dev.quartermaster.ledger.ImageVerdict.MISMATCH);
        assertThat(image.verification().found()).isEqualTo("6.5.5");
        assertThat(image.tags()).containsExactly("wp-6.4-v3");
        assertThat(alerts.kinds()).containsExactly("MISMATCH");
        assertThat(alerts.published().get(0).subject()).contains("promises 6.4 but holds 6.5.5");
    }

    @Test
    void
            handle_whenAQmReleaseTagIsNotTheDigestsMark_alertsForgedMarkOnce_andTheRealMarkIsSkipped() {
        String digest =
                pusher.push(repo, "wp-6.4-v1", OciImages.wordpressLike("6.4.3", 1, 1000, 0));
        byte[] forged =
                pushEvent("ev-forged", repo, "qm-release-junk1", digest, OciImages.MANIFEST);
        byte[] real =
                pushEvent(
                        "ev-mark",
                        repo,
                        dev.quartermaster.contract.LifecycleRules.markFor(digest),
                        digest,
                        OciImages.MANIFEST);

        JsonNode result = Invoke.handler(verify, forged);
        JsonNode again = Invoke.handler(verify, forged);
        JsonNode mark = Invoke.handler(verify, real);

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(result.path("details").path("verdict").asText()).isEqualTo("FORGED_MARK");
        assertThat(again.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(mark.path("status").asText()).isEqualTo("IGNORED");
        assertThat(alerts.kinds()).containsExactly("FORGED_MARK");
        assertThat(alerts.published().get(0).message())
                .contains("qm-release-junk1")
                .contains(dev.quartermaster.contract.LifecycleRules.markFor(digest));
    }

    @Test
    void handle_whenSameEventTwice_verifiesOnce() {
        String digest =
                pusher.push(repo, "wp-6.4-v3", OciImages.wordpressLike("6.5.5", 1, 1000, 0));
        byte[] event = pushEvent("ev-dup", repo, "wp-6.4-v3", digest, OciImages.MANIFEST);

        Invoke.handler(verify, event);
        JsonNode second = Invoke.handler(verify, event);

        assertThat(second.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(alerts.kinds()).containsExactly("MISMATCH");
    }

    @Test
    void handle_whenIndexPushed_childrenGetPlatformVerdictsAndLinkToIndex() {
        var amd = OciImages.wordpressLike("6.4.3", 1, 1000, 0);
        var arm = OciImages.image(amd.layers(), Map.of(), List.of(), "arm64");
        String index = pusher.pushIndex(repo, "wp-6.4-v1", List.of(amd, arm));

        Invoke.handler(verify, pushEvent("ev-index", repo, "wp-6.4-v1", index, OciImages.INDEX));

        assertThat(store.image(repo, index).orElseThrow().verdict())
                .isEqualTo(dev.quartermaster.ledger.ImageVerdict.VERIFIED);
        var child = store.image(repo, amd.manifest().digest()).orElseThrow();
        assertThat(child.indexDigest()).isEqualTo(index);
        assertThat(child.verdict()).isEqualTo(dev.quartermaster.ledger.ImageVerdict.VERIFIED);
        assertThat(alerts.published()).isEmpty();
    }

    @Test
    void handle_whenImageIsNotInTheRegistry_recordsUnverifiableAndAlertsInsteadOfRetrying() {
        String missing = "sha256:" + "ab".repeat(32);

        JsonNode result =
                Invoke.handler(
                        verify,
                        pushEvent("ev-gone", repo, "wp-6.4-v7", missing, OciImages.MANIFEST));

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(result.path("details").path("verdict").asText()).isEqualTo("UNVERIFIABLE");
        assertThat(result.path("details").path("reason").asText()).contains("not found");
        assertThat(store.image(repo, missing).orElseThrow().verdict())
                .isEqualTo(dev.quartermaster.ledger.ImageVerdict.UNVERIFIABLE);
        assertThat(alerts.kinds()).containsExactly("UNVERIFIABLE");
    }

    @Test
    void handle_whenChildPushWithoutTag_ignored() {
        JsonNode result = Invoke.handler(verify, "image-action-push-child.json");

        assertThat(result.path("status").asText()).isEqualTo("IGNORED");
    }
}
