package dev.quartermaster.cli.replication;

import dev.quartermaster.archive.ImageLister;
import dev.quartermaster.cli.local.LocalReplication;
import dev.quartermaster.registry.ImageCopier;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.replication.ReplicationService;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/** The replication backfill (bin/qm replicate backfill, and the demo): what a destination lacks, copied by digest and recorded. */
public final class Backfill {
    private Backfill() {
    }

    /** Copies what the destination lacks, one image at a time, with a line each; exit 1 when any failed. */
    public static int run(ImageLister lister, RegistryClient source, RegistryWriter target, Destination d, List<String> repositories,
                          dev.quartermaster.common.Platform platform, PrintStream out) {
        // records each copy as the event would (no ECR status is asked: the copy itself is the proof)
        ReplicationService service = new ReplicationService(List.of(d), repositories, java.time.Duration.ofMinutes(60),
                dev.quartermaster.replication.ReplicationRoot.store(platform), (r, x) -> List.of(), platform.alerts(), java.time.Clock.systemUTC());
        ImageCopier copier = new ImageCopier(source, target);
        int copied = 0;
        int present = 0;
        int failed = 0;
        for (String repo : repositories) {
            List<ImageLister.Listed> images = lister.list(repo);
            int n = 0;
            for (ImageLister.Listed image : images) {
                n++;
                String what = repo + "@" + image.digest().substring(7, 19) + (image.tags().isEmpty() ? "" : " (" + String.join(",", image.tags()) + ")");
                try {
                    if (target.hasManifest(repo, image.digest())) {
                        present++;
                        LocalReplication.progress(out, n, images.size(), what + " already in " + d.key());
                    } else {
                        ImageCopier.Copied c = copier.copy(repo, image.digest(), image.tags().isEmpty() ? null : image.tags().get(0));
                        copied++;
                        LocalReplication.progress(out, n, images.size(), String.format("%s copied to %s: %.1f MB, %d blob(s) already there",
                                what, d.key(), c.bytes() / 1e6, c.blobsPresent()));
                    }
                    service.backfilled(repo, image.digest(), d, Instant.now());
                } catch (RuntimeException e) {
                    failed++;
                    LocalReplication.progress(out, n, images.size(), what + " FAILED: " + dev.quartermaster.common.Text.oneLine(String.valueOf(e.getMessage()), 200));
                }
            }
        }
        out.println("backfill to " + d.key() + ": " + copied + " copied, " + present + " already there, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
