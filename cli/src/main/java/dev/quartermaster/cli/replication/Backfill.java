package dev.quartermaster.cli.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.archive.ImageLister;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.replication.BackfillHandler;
import dev.quartermaster.replication.BackfillJob;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.replication.ReplicationRoot;
import dev.quartermaster.replication.ReplicationService;
import dev.quartermaster.upkeep.DirectoryRunFiles;
import dev.quartermaster.upkeep.UpkeepEngine;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The replication backfill here (bin/qm replicate backfill, and the demo): the backfill's state
 * machine interpreted by the local engine, a stand-in for Step Functions: the plan lists what the
 * source holds, map Copy copies by digest what the destination lacks, batch after batch through
 * replication-backfill's handler, each image recorded; the fold counts. The run's files go to a
 * temporary directory (the archive bucket's upkeep/runs/ in AWS).
 */
public final class Backfill {
    private Backfill() {}

    /** Copies what the destination lacks, a line per batch; exit 1 when any image failed. */
    public static int run(
            ImageLister lister,
            RegistryClient source,
            RegistryWriter target,
            Destination d,
            List<String> repositories,
            dev.quartermaster.common.Platform platform,
            PrintStream out)
            throws Exception {
        // records each copy as the event would (no ECR status is asked: the copy itself is the
        // proof)
        ReplicationService service =
                new ReplicationService(
                        List.of(d),
                        repositories,
                        Duration.ofMinutes(60),
                        ReplicationRoot.store(platform),
                        (r, x) -> List.of(),
                        platform.alerts(),
                        java.time.Clock.systemUTC());
        BackfillJob job =
                new BackfillJob(
                        service,
                        repository ->
                                lister.list(repository).stream()
                                        .map(
                                                i ->
                                                        new BackfillJob.Source.Image(
                                                                i.digest(), i.tags(), i.size()))
                                        .toList(),
                        x -> ReplicationRoot.target(source, target),
                        repositories,
                        java.time.Clock.systemUTC());
        Path dir = Files.createTempDirectory("qm-backfill");
        try {
            DirectoryRunFiles files = new DirectoryRunFiles(dir, "local-runs");
            BackfillHandler handler = new BackfillHandler(job, files);
            PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream());
            UpkeepEngine engine =
                    new UpkeepEngine(
                            UpkeepMachine.definition(Upkeep.REPLICATION_BACKFILL, 1, 0),
                            "local-replication-backfill",
                            payload -> {
                                try {
                                    return LocalInvoke.call(
                                            handler,
                                            "replication-backfill",
                                            payload.toString().getBytes(StandardCharsets.UTF_8),
                                            sink);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            files,
                            new UpkeepEngine.Listener() {
                                @Override
                                public void batch(
                                        String map,
                                        int index,
                                        int total,
                                        Duration took,
                                        JsonNode output) {
                                    out.printf(
                                            "[%d/%d] %s batch: %s (%.1f s)%n",
                                            index,
                                            total,
                                            map,
                                            output == null
                                                    ? "FAILED"
                                                    : output.path("message").asText(),
                                            took.toMillis() / 1000.0);
                                    if (output != null) {
                                        output.path("details")
                                                .path("failed")
                                                .forEach(
                                                        f -> out.println("  FAILED " + f.asText()));
                                    }
                                }
                            });
            String event =
                    new String(LocalInvoke.scheduledEvent(Instant.now()), StandardCharsets.UTF_8)
                            .replace(
                                    "\"detail\":{}",
                                    "\"detail\":{\"destination\":\"" + d.key() + "\"}");
            JsonNode done =
                    engine.run(
                            EventParser.readTree(event.getBytes(StandardCharsets.UTF_8)),
                            "local-backfill-" + java.util.UUID.randomUUID(),
                            Instant.now());
            out.println(done.path("message").asText());
            return done.path("details").path("failed").isEmpty()
                            && done.path("details").path("failedBatches").asInt() == 0
                    ? 0
                    : 1;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
