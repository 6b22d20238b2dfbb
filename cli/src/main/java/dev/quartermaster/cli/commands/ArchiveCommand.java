package dev.quartermaster.cli.commands;

import dev.quartermaster.archive.ArchiveExport;
import dev.quartermaster.archive.ArchiveIndex;
import dev.quartermaster.archive.ArchiveLayout;
import dev.quartermaster.archive.ArchiveRoot;
import dev.quartermaster.archive.ArchiveUpkeep;
import dev.quartermaster.archive.DirectoryLayout;
import dev.quartermaster.archive.ImageArchiver;
import dev.quartermaster.archive.ImageRestorer;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.registry.RegistryWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** bin/qm archive: what the image archive holds, and getting images back out of it. */
@Command(
        name = "archive",
        description =
                "The image archive: list, restore to a registry, export as an OCI layout, verify; its upkeep runs now.",
        subcommands = {
            ArchiveCommand.ListCmd.class,
            ArchiveCommand.RestoreCmd.class,
            ArchiveCommand.ExportCmd.class,
            ArchiveCommand.VerifyCmd.class,
            UpkeepCommands.Scrub.class,
            UpkeepCommands.Reconcile.class,
            UpkeepCommands.Prune.class
        })
public final class ArchiveCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The archive layout and platform of the target (local state or the deployed stack), for the
     * duration of one command.
     */
    static <T> T withArchive(Target target, Function<Platform, T> body) {
        if (target.aws) {
            return body.apply(target.awsPlatform());
        }
        try (LocalEnvironment local = target.local()) {
            LocalServices ls = LocalServices.create(local, null, System.err, false, true);
            return body.apply(ls.platform());
        }
    }

    @Command(
            name = "list",
            description =
                    "Archived images: tag, digest, platforms, bytes stored and deduplicated, complete or not.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", arity = "0..1", description = "only this repository")
        String repository;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            List<ArchiveIndex.Entry> entries =
                    withArchive(target, p -> ArchiveRoot.layout(p).readIndex().index().entries())
                            .stream()
                            .filter(e -> repository == null || e.repository().equals(repository))
                            .toList();
            if (json) {
                System.out.println(
                        EventParser.JSON
                                .writerWithDefaultPrettyPrinter()
                                .writeValueAsString(entries));
                return 0;
            }
            if (entries.isEmpty()) {
                System.out.println(
                        "the archive holds no images"
                                + (repository == null ? "" : " of " + repository));
                return 0;
            }
            TextTable t =
                    new TextTable(
                            "IMAGE",
                            "DIGEST",
                            "PLATFORMS",
                            "STORED",
                            "DEDUPLICATED",
                            "COMPLETE",
                            "ARCHIVED");
            entries.forEach(
                    e ->
                            t.row(
                                    e.refName().length() > 60 && e.tag() == null
                                            ? e.repository()
                                                    + "@"
                                                    + TextTable.shortDigest(e.digest())
                                            : e.refName(),
                                    TextTable.shortDigest(e.digest()),
                                    e.subject() != null
                                            ? "(referrer)"
                                            : e.platforms().isEmpty() ? "-" : e.platforms(),
                                    mb(e.bytesStored()),
                                    mb(e.bytesDeduplicated()),
                                    e.complete() ? "yes" : "NO",
                                    e.archivedAt()));
            t.print(System.out, "");
            return 0;
        }
    }

    @Command(
            name = "restore",
            description =
                    "Push an archived image to any OCI registry; the target's digest must equal the archived one.")
    static final class RestoreCmd implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", description = "REPO:TAG or REPO@sha256:<hex>")
        String reference;

        @Option(
                names = "--to",
                required = true,
                description =
                        "REGISTRY[/REPO[:TAG]], e.g. http://127.0.0.1:5000 or "
                                + "123456789012.dkr.ecr.eu-west-1.amazonaws.com/wordpress:wp-6.4-v1 (https unless http:// is written). "
                                + "ECR: with --aws. Basic auth: QM_REGISTRY_USER and QM_REGISTRY_PASSWORD in the environment.")
        String to;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            Destination d = Destination.parse(to);
            return withArchive(
                    target,
                    p -> {
                        ArchiveLayout layout = ArchiveRoot.layout(p);
                        ArchiveIndex.Entry entry =
                                ImageRestorer.resolve(layout.readIndex().index(), reference);
                        if (!reference.contains("@")) {
                            String doubt =
                                    ImageRestorer.disagreement(
                                            entry,
                                            LedgerRoot.store(p)
                                                    .history(entry.repository(), entry.tag()));
                            if (doubt != null) {
                                throw new IllegalArgumentException("refused: " + doubt);
                            }
                        }
                        String repo = d.repositoryFor(entry);
                        String tag = d.tagFor(entry);
                        RegistryAuth auth = auth(p, d.url());
                        Progress progress = Progress.of(json, totals(layout, entry), "restore");
                        var r =
                                new ImageRestorer(
                                                layout,
                                                new RegistryWriter(d.url(), auth),
                                                new RegistryClient(d.url(), auth))
                                        .restore(entry, repo, tag, progress);
                        progress.done();
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("image", reference);
                        out.put("target", r.target());
                        out.put("digest", r.targetDigest());
                        out.put("blobsPushed", r.blobsPushed());
                        out.put("blobsSkipped", r.blobsSkipped());
                        out.put("bytesPushed", r.bytesPushed());
                        print(
                                json,
                                out,
                                "restored "
                                        + reference
                                        + " to "
                                        + r.target()
                                        + ": digest "
                                        + r.targetDigest()
                                        + " (the archived one), "
                                        + r.blobsPushed()
                                        + " blob(s) pushed, "
                                        + r.blobsSkipped()
                                        + " already there");
                        return 0;
                    });
        }

        private RegistryAuth auth(Platform p, String url) {
            if (target.aws && url.contains(".dkr.ecr.")) {
                return RegistryRoot.ecrAuth(p);
            }
            String user = System.getenv("QM_REGISTRY_USER");
            String password = System.getenv("QM_REGISTRY_PASSWORD");
            return user != null && password != null
                    ? RegistryAuth.basic(user, password)
                    : RegistryAuth.anonymous();
        }
    }

    /** --to: a registry URL, optionally a repository and tag. */
    record Destination(String url, String repository, String tag) {
        String repositoryFor(ArchiveIndex.Entry entry) {
            return repository != null ? repository : entry.repository();
        }

        /**
         * --to REGISTRY/REPO without a tag keeps the archived tag: a restored image is found by the
         * name it had.
         */
        String tagFor(ArchiveIndex.Entry entry) {
            return tag != null ? tag : entry.tag();
        }

        static Destination parse(String to) {
            String rest = to.contains("://") ? to : "https://" + to;
            int slash = rest.indexOf('/', rest.indexOf("://") + 3);
            String url = slash < 0 ? rest : rest.substring(0, slash);
            if (slash < 0 || slash == rest.length() - 1) {
                return new Destination(url, null, null);
            }
            String path = rest.substring(slash + 1);
            int colon = path.lastIndexOf(':');
            String repo = colon > 0 ? path.substring(0, colon) : path;
            String tag = colon > 0 ? path.substring(colon + 1) : null;
            if (!repo.matches("[a-z0-9]+(?:[._/-][a-z0-9]+)*")
                    || (tag != null && !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"))) {
                throw new IllegalArgumentException(
                        "--to '"
                                + to
                                + "': expected REGISTRY[/REPO[:TAG]] with a valid repository and tag");
            }
            return new Destination(url, repo, tag);
        }
    }

    @Command(
            name = "export",
            description =
                    "Write archived images of a repository as an OCI image layout in a directory "
                            + "(entries other tools wrote there are kept).")
    static final class ExportCmd implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", description = "REPO or REPO:TAG")
        String reference;

        @Option(
                names = "--to",
                required = true,
                description = "directory (created if missing; images already in it are kept)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            int colon = reference.lastIndexOf(':');
            String repo = colon > 0 ? reference.substring(0, colon) : reference;
            String tag = colon > 0 ? reference.substring(colon + 1) : null;
            return withArchive(
                    target,
                    p -> {
                        ArchiveLayout layout = ArchiveRoot.layout(p);
                        Progress progress = Progress.of(json, null, "export");
                        List<ImageArchiver.Result> results =
                                ArchiveExport.export(
                                        layout,
                                        repo,
                                        tag,
                                        new DirectoryLayout(dir, false),
                                        progress);
                        progress.done();
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("directory", dir.toAbsolutePath().toString());
                        out.put(
                                "images",
                                results.stream()
                                        .map(
                                                r ->
                                                        Map.of(
                                                                "digest",
                                                                r.digest(),
                                                                "blobs",
                                                                r.blobs(),
                                                                "bytes",
                                                                r.bytesTotal()))
                                        .toList());
                        print(
                                json,
                                out,
                                "exported "
                                        + results.size()
                                        + " image(s) of "
                                        + repo
                                        + " to "
                                        + dir.toAbsolutePath()
                                        + " ("
                                        + readWith(results, dir, tag)
                                        + ")");
                        return 0;
                    });
        }
    }

    /**
     * How to read an export: skopeo finds a name in an OCI layout only for OCI media types (1.9);
     * umoci reads both.
     */
    static String readWith(List<ImageArchiver.Result> results, Path dir, String tag) {
        String name = tag != null ? tag : "<tag>";
        if (results.stream()
                .allMatch(
                        r ->
                                r.mediaType() != null
                                        && r.mediaType().startsWith("application/vnd.oci."))) {
            return "read it with: skopeo inspect oci:" + dir + ":" + name;
        }
        return "Docker media types, kept byte-exact: list it with umoci ls --layout "
                + dir
                + "; skopeo 1.9 resolves oci:DIR:TAG only for OCI media types";
    }

    @Command(
            name = "verify",
            description =
                    "The scrub, on demand: re-hash every archived blob (of REPO) and check each image is complete.")
    static final class VerifyCmd implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", arity = "0..1", description = "only the images of this repository")
        String repository;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            return withArchive(
                    target,
                    p -> {
                        ArchiveUpkeep upkeep =
                                new ArchiveUpkeep(
                                        ArchiveRoot.layout(p),
                                        LedgerRoot.store(p),
                                        p.alerts(),
                                        Clock.systemUTC());
                        var r = upkeep.scrub(100, Instant.MAX, new SecureRandom(), repository);
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("checked", r.checked());
                        out.put("bytesChecked", r.bytesChecked());
                        out.put("corrupt", r.corrupt());
                        out.put("incomplete", r.incomplete());
                        print(
                                json,
                                out,
                                "re-hashed "
                                        + r.checked()
                                        + " blob(s) ("
                                        + mb(r.bytesChecked())
                                        + "): "
                                        + r.corrupt().size()
                                        + " corrupt"
                                        + (r.corrupt().isEmpty() ? "" : " " + r.corrupt())
                                        + ", "
                                        + r.incomplete().size()
                                        + " incomplete image(s)"
                                        + (r.incomplete().isEmpty() ? "" : " " + r.incomplete()));
                        return r.corrupt().isEmpty() && r.incomplete().isEmpty() ? 0 : 4;
                    });
        }
    }

    /**
     * Blobs and bytes an archived image holds (manifests walked in the archive), for a progress
     * line's totals.
     */
    static long[] totals(ArchiveLayout layout, ArchiveIndex.Entry entry) {
        long[] t = new long[2];
        ArchiveUpkeep.reachable(
                        layout, entry, (java.util.function.Predicate<String>) null, new HashSet<>())
                .values()
                .stream()
                .filter(d -> !ArchiveUpkeep.isManifest(d))
                .forEach(
                        d -> {
                            t[0]++;
                            t[1] += d.size();
                        });
        return t;
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    static void print(boolean json, Map<String, Object> out, String text) {
        try {
            System.out.println(
                    json
                            ? EventParser.JSON
                                    .writerWithDefaultPrettyPrinter()
                                    .writeValueAsString(out)
                            : text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A progress line on a terminal (blobs and bytes done of total, rate, skipped as already
     * present), rewritten in place at most every 200 ms; nothing with --output json or when stderr
     * is not a terminal.
     */
    static final class Progress implements ImageArchiver.Progress {
        private final PrintStream err;
        private final long[] total;
        private final String verb;
        private final long start = System.nanoTime();
        private long blobs;
        private long skipped;
        private long bytes;
        private long lastPrint;

        private Progress(PrintStream err, long[] total, String verb) {
            this.err = err;
            this.total = total;
            this.verb = verb;
        }

        static Progress of(boolean json, long[] total, String verb) {
            boolean terminal = System.console() != null && !json;
            return new Progress(terminal ? System.err : null, total, verb);
        }

        @Override
        public synchronized void blob(String digest, long size, boolean wasPresent) {
            blobs++;
            bytes += size;
            if (wasPresent) {
                skipped++;
            }
            long now = System.nanoTime();
            if (err != null && now - lastPrint > 200_000_000L) {
                lastPrint = now;
                double secs = Math.max(0.001, (now - start) / 1e9);
                err.printf(
                        "\r[%s] %d%s blobs, %s%s, %.1f MB/s, %d already present   ",
                        verb,
                        blobs,
                        total == null ? "" : "/" + total[0],
                        mb(bytes),
                        total == null ? "" : " of " + mb(total[1]),
                        bytes / 1e6 / secs,
                        skipped);
            }
        }

        void done() {
            if (err != null) {
                err.println();
            }
        }
    }
}
