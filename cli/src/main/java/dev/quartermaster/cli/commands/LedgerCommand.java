package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.ledger.StorageClass;
import dev.quartermaster.ledger.StorageEvent;
import dev.quartermaster.ledger.TagEvent;
import dev.quartermaster.ledger.TagHead;
import dev.quartermaster.replication.Replica;
import dev.quartermaster.replication.ReplicaStore;
import dev.quartermaster.replication.ReplicationRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** What the ledger knows about a repository, a tag or a digest. */
@Command(
        name = "ledger",
        description = {
            "Show the image ledger: a repository's digests, a tag's history, a digest's tags.",
            "  qm ledger <repo>            every digest with its tags, verdict and scan counts",
            "  qm ledger <repo>:<tag>      where the tag points now and its history (moves, deletes)",
            "  qm ledger <repo>@<digest>   the tags a digest carries, its verification and ECR storage class (ARCHIVE: cannot be pulled)"
        })
public final class LedgerCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<repo>[:<tag>|@<digest>]")
    String ref;

    @Mixin Target target = new Target();

    @Override
    public Integer call() throws Exception {
        boolean json = target.json();
        if (target.aws) {
            var p = target.awsPlatform();
            return show(LedgerRoot.store(p), ReplicationRoot.store(p), json, System.out);
        }
        try (LocalEnvironment local = target.local()) {
            var p = LocalServices.platform(local, System.err);
            return show(LedgerRoot.store(p), ReplicationRoot.store(p), json, System.out);
        }
    }

    int show(LedgerStore store, ReplicaStore replicas, boolean json, PrintStream out)
            throws Exception {
        int at = ref.indexOf('@');
        int colon = ref.indexOf(':');
        if (at > 0) {
            String repo = Validation.repository(ref.substring(0, at));
            String digest = ref.substring(at + 1);
            Optional<ImageRecord> image = store.image(repo, Validation.digest(digest));
            if (image.isEmpty()) {
                System.err.println("qm ledger: " + repo + "@" + digest + " is not in the ledger");
                return 3;
            }
            List<Replica> copies = replicas.replicas(repo, image.get().digest());
            List<StorageEvent> storage = store.storageHistory(repo, image.get().digest());
            Map<String, Object> doc =
                    new java.util.LinkedHashMap<>(
                            EventParser.JSON.convertValue(
                                    image.get(),
                                    new com.fasterxml.jackson.core.type.TypeReference<
                                            Map<String, Object>>() {}));
            doc.put(
                    "replicas",
                    copies.stream()
                            .map(
                                    r -> {
                                        Map<String, Object> m = new java.util.LinkedHashMap<>();
                                        m.put("region", r.destination().region());
                                        m.put("account", r.destination().account());
                                        m.put("state", r.label());
                                        m.put(
                                                "at",
                                                r.settledAt() != null
                                                        ? r.settledAt()
                                                        : r.pushedAt());
                                        m.put("reason", r.reason());
                                        return m;
                                    })
                            .toList());
            doc.put("storageHistory", storage);
            return print(
                    json,
                    out,
                    doc,
                    () -> {
                        printImages(List.of(image.get()), out);
                        printStorage(image.get(), storage, out);
                        printReplicas(copies, out);
                    });
        }
        if (colon > 0) {
            String repo = Validation.repository(ref.substring(0, colon));
            String tag = ref.substring(colon + 1);
            Optional<TagHead> head = store.head(repo, tag);
            List<TagEvent> history = store.history(repo, tag);
            if (head.isEmpty() && history.isEmpty()) {
                System.err.println(
                        "qm ledger: tag "
                                + repo
                                + ":"
                                + tag
                                + " is not in the ledger (try: qm ledger "
                                + repo
                                + ")");
                return 3;
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("head", head.orElse(null));
            doc.put("history", history);
            return print(
                    json,
                    out,
                    doc,
                    () -> {
                        String now = head.map(TagHead::digest).orElse(null);
                        out.println(repo + ":" + tag + " -> " + (now == null ? "(deleted)" : now));
                        if (now != null) {
                            store.image(repo, now)
                                    .map(ImageRecord::verification)
                                    .ifPresent(
                                            v ->
                                                    out.println(
                                                            "verdict: "
                                                                    + v.verdict()
                                                                    + (v.found() == null
                                                                            ? ""
                                                                            : " (found "
                                                                                    + v.found()
                                                                                    + ")")));
                        }
                        TextTable t = new TextTable("WHEN", "ACTION", "DIGEST", "PREVIOUS", "NOTE");
                        history.forEach(
                                e ->
                                        t.row(
                                                e.at(),
                                                e.action(),
                                                TextTable.shortDigest(e.digest()),
                                                TextTable.shortDigest(e.previousDigest()),
                                                e.moved()
                                                        ? "TAG MOVED"
                                                        : e.outOfOrder() ? "late event" : ""));
                        t.print(out, "  ");
                    });
        }
        String repo = Validation.repository(ref);
        List<ImageRecord> images = store.images(repo);
        if (images.isEmpty()) {
            System.err.println("qm ledger: repository " + repo + " has no images in the ledger");
            return 3;
        }
        return print(
                json,
                out,
                Map.of("images", images, "failures", store.failures(repo)),
                () -> printImages(images, out));
    }

    static void printImages(List<ImageRecord> images, PrintStream out) {
        TextTable t =
                new TextTable(
                        "DIGEST",
                        "TAGS",
                        "PUSHED",
                        "VERDICT",
                        "FOUND",
                        "SCAN",
                        "SIGNATURE",
                        "STORAGE",
                        "NOTE");
        for (ImageRecord i : images) {
            var v = i.verification();
            String note =
                    i.deleted()
                            ? "deleted"
                            : i.indexDigest() != null
                                    ? "platform of " + TextTable.shortDigest(i.indexDigest())
                                    : i.tags().isEmpty() ? "untagged" : "";
            t.row(
                    TextTable.shortDigest(i.digest()),
                    i.tags().isEmpty() ? "-" : String.join(",", i.tags()),
                    i.lastPushedAt(),
                    i.verdict() == null ? "-" : i.verdict(),
                    v == null ? "-" : v.found(),
                    i.scanCounts() == null
                            ? "-"
                            : i.scanCounts().isEmpty() ? "clean" : i.scanCounts().toString(),
                    i.signature() == null ? "-" : i.signature().state(),
                    storageClass(i),
                    note);
        }
        t.print(out, "  ");
        images.stream()
                .filter(i -> i.signature() != null && images.size() == 1)
                .forEach(
                        i ->
                                out.println(
                                        "  signature: "
                                                + i.signature().state()
                                                + (i.signature().identity() == null
                                                        ? ""
                                                        : " by " + i.signature().identity())
                                                + (i.signature().reason() == null
                                                        ? ""
                                                        : " (" + i.signature().reason() + ")")
                                                + ", checked "
                                                + i.signature().at()));
        images.stream()
                .filter(i -> i.scanAcceptance() != null && images.size() == 1)
                .forEach(
                        i ->
                                out.println(
                                        "  scan accepted: "
                                                + i.scanAcceptance().counts()
                                                + " "
                                                + i.scanAcceptance().how()
                                                + " by "
                                                + i.scanAcceptance().by()
                                                + " at "
                                                + i.scanAcceptance().at()
                                                + ": "
                                                + i.scanAcceptance().reason()
                                                + (i.scanFailed()
                                                        ? " (failed again since: a finding beyond these counts)"
                                                        : "")));
    }

    /**
     * ECR's storage class of the digest: ARCHIVE or STANDARD as ECR last said, STANDARD when it
     * never said.
     */
    static String storageClass(ImageRecord i) {
        return i.storage() == null
                ? StorageClass.STANDARD.name()
                : i.storage().storageClass().name();
    }

    /**
     * One digest's storage class with its time, how to restore it when archived, and its history.
     */
    static void printStorage(ImageRecord image, List<StorageEvent> history, PrintStream out) {
        if (image.storage() == null) {
            return;
        }
        out.println(
                "  storage: "
                        + image.storage().storageClass()
                        + " since "
                        + image.storage().at()
                        + (image.archivedInEcr()
                                ? " (cannot be pulled; restore: "
                                        + StorageClass.restoreCommand(
                                                image.repository(), image.digest())
                                        + ")"
                                : ""));
        TextTable t = new TextTable("WHEN", "CLASS", "BY", "NOTE");
        history.forEach(
                e ->
                        t.row(
                                e.at(),
                                e.storageClass(),
                                e.action() == dev.quartermaster.ledger.ImageAction.Kind.PUSH
                                        ? "push"
                                        : "ECR",
                                e.outOfOrder() ? "late event" : ""));
        t.print(out, "    ");
    }

    /** Each destination's copy of one digest: where, in which state, since when, why. */
    static void printReplicas(List<Replica> copies, PrintStream out) {
        if (copies.isEmpty()) {
            return;
        }
        out.println("  replicas:");
        TextTable t = new TextTable("REGION", "ACCOUNT", "STATE", "WHEN", "WHY");
        copies.forEach(
                r ->
                        t.row(
                                r.destination().region(),
                                r.destination().account(),
                                r.label(),
                                r.settledAt() != null ? r.settledAt() : r.pushedAt(),
                                r.reason() == null || r.reason().isEmpty() ? "-" : r.reason()));
        t.print(out, "    ");
    }

    private static int print(boolean json, PrintStream out, Object doc, Runnable text)
            throws Exception {
        if (json) {
            out.println(EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            text.run();
        }
        return 0;
    }
}
