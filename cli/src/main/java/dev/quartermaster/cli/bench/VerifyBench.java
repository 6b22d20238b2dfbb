package dev.quartermaster.cli.bench;

import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.verify.ImageVerifier;
import dev.quartermaster.verify.Verdict;
import dev.quartermaster.verify.VerifyRules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * bench verify: a WordPress-like image of realistic size (6 layers, ~120 MB compressed, version.php
 * in a 4 MB layer second from the top) in a local registry; verifies it and reports how much of it
 * was read.
 */
public final class VerifyBench {
    private VerifyBench() {}

    static int run(int runs) throws Exception {
        Path dir = Files.createTempDirectory("qm-bench-verify");
        try (LocalRegistry registry = LocalRegistry.filesystem(dir)) {
            System.out.println(
                    "building a WordPress-like image (4 base layers of 29 MB, wordpress layer 4 MB, entrypoint layer)...");
            OciImages.Image image =
                    OciImages.wordpressLike("6.4.3", 4, 29 * 1024 * 1024, 4 * 1024 * 1024);
            String digest =
                    new OciImages.Pusher(registry.url()).push("wordpress", "wp-6.4-v1", image);
            System.out.printf(
                    "pushed wordpress:wp-6.4-v1 %s: %d layers, %.1f MB compressed%n",
                    digest.substring(7, 19), image.layers().size(), image.compressedSize() / 1e6);
            ImageVerifier verifier =
                    new ImageVerifier(
                            new RegistryClient(registry.url(), RegistryAuth.anonymous()),
                            VerifyRules.defaults());
            List<Long> times = new ArrayList<>();
            Verdict v = null;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                v = verifier.verify("wordpress", digest, "wp-6.4-v1").verdict();
                times.add((System.nanoTime() - t0) / 1_000_000);
                System.out.printf(
                        "run %d: %s found %s, %d bytes fetched, %d ms%n",
                        i + 1, v.kind(), v.found(), v.bytesFetched(), times.get(i));
            }
            if (v.kind() != ImageVerdict.VERIFIED) {
                System.err.println(
                        "bench verify: expected VERIFIED, got " + v.kind() + ": " + v.reason());
                return 1;
            }
            Collections.sort(times);
            System.out.printf(
                    "verify-bytes-ratio=%.4f verify-ms=%d%n",
                    (double) v.bytesFetched() / v.imageBytes(), times.get(times.size() / 2));
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    public static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
