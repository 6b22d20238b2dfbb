package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.ledger.ImageActionHandler;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.replication.ReplicationRoot;
import dev.quartermaster.testkit.LocalContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm ledger REPO@DIGEST on the local stores (DynamoDB Local) after ECR's own archive and
 * restore samples.
 */
class LedgerCommandIT {
    private static final String DIGEST =
            "sha256:f98d67af8e53a536502bfc600de3266556b06ed635a32d60aa7a5fe6d7e609d7";

    private static String invoke(ImageActionHandler handler, String sample) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(
                new ByteArrayInputStream(Files.readAllBytes(Path.of("../events", sample))),
                out,
                new LocalContext("image-action", 30));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String show(LedgerCommand command, Platform p, boolean json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(
                        command.show(
                                LedgerRoot.store(p),
                                ReplicationRoot.store(p),
                                json,
                                new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void
            show_whenEcrArchivedTheDigest_saysArchiveWithTheRestoreCommand_thenStandardWithBothInItsHistory(
                    @TempDir Path dir) throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            ImageActionHandler handler =
                    new ImageActionHandler(new ImageLedger(LedgerRoot.store(p), p.alerts()));
            LedgerCommand command = new LedgerCommand();
            command.ref = "ubuntu@" + DIGEST;

            assertThat(invoke(handler, "image-action-archived.json"))
                    .contains("\"status\":\"RECORDED\"");
            String archived = show(command, p, false);
            String json = show(command, p, true);

            assertThat(archived)
                    .contains(
                            "STORAGE",
                            "ARCHIVE",
                            "storage: ARCHIVE since 2019-08-06T00:58:09Z",
                            "restore: aws ecr update-image-storage-class --repository-name ubuntu --image-id imageDigest="
                                    + DIGEST
                                    + " --target-storage-class STANDARD");
            assertThat(json).contains("\"storage-class\" : \"ARCHIVE\"", "\"storageHistory\"");

            invoke(handler, "image-action-restored.json");
            String restored = show(command, p, false);
            assertThat(restored)
                    .contains("storage: STANDARD since 2019-08-06T01:15:22Z")
                    .doesNotContain("restore:");
            assertThat(restored.lines().filter(l -> l.contains("ECR"))).hasSize(2);
        }
    }
}
