package dev.quartermaster.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.Text;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.contract.RuleFormat;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.ledger.StorageClass;
import dev.quartermaster.ledger.TagHead;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Releases a digest onto the host through the release document, on the ledger's word: only a
 * VERIFIED digest whose scan passed and that ECR has not archived (or one forced with a recorded
 * reason). The host's script proves the switch and rolls back by itself; this service records what
 * it reports ({@link #onStatus}) and alerts on anything but RELEASED. {@link #check} asks the host
 * what runs, for the drift alarm.
 */
public final class ReleaseService {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+-]{1,64}");
    private static final Set<String> FINAL =
            Set.of(
                    "Success",
                    "Failed",
                    "Cancelled",
                    "TimedOut",
                    "DeliveryTimedOut",
                    "ExecutionTimedOut",
                    "Undeliverable",
                    "Terminated",
                    "InvalidPlatform",
                    "AccessDenied",
                    "Delivery Timed Out",
                    "Execution Timed Out");
    private final ReleaseConfig config;
    private final ReleaseStore store;
    private final LedgerStore ledger;
    private final CommandRunner commands;
    private final ReleaseProtection protection;
    private final Alerts alerts;
    private final Clock clock;
    private final SignatureRecheck signatures;
    private final Duration signatureBound;

    /**
     * How old a recorded SIGNED verdict may be when no fresh check can be made here (image-verify
     * re-checks them hourly).
     */
    public static final Duration SIGNATURE_FRESHNESS = Duration.ofHours(2);

    public ReleaseService(
            ReleaseConfig config,
            ReleaseStore store,
            LedgerStore ledger,
            CommandRunner commands,
            ReleaseProtection protection,
            Alerts alerts,
            Clock clock) {
        this(config, store, ledger, commands, protection, alerts, clock, null, Duration.ZERO);
    }

    /**
     * @param signatures re-verifies the signature of what is released (null: the ledger's verdict
     *     counts only while it is younger than {@link #SIGNATURE_FRESHNESS})
     * @param signatureBound the longest the re-check may take, waits included; past it the release
     *     is refused
     */
    public ReleaseService(
            ReleaseConfig config,
            ReleaseStore store,
            LedgerStore ledger,
            CommandRunner commands,
            ReleaseProtection protection,
            Alerts alerts,
            Clock clock,
            SignatureRecheck signatures,
            Duration signatureBound) {
        this.signatures = signatures;
        this.signatureBound = signatureBound;
        this.config = config;
        this.store = store;
        this.ledger = ledger;
        this.commands = commands;
        this.protection = protection;
        this.alerts = alerts;
        this.clock = clock;
    }

    public ReleaseConfig config() {
        return config;
    }

    /**
     * A release the ledger refuses (or a reference it cannot resolve); nothing was sent, the host
     * is untouched.
     */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** What a release will do, decided before anything is sent. */
    public record Plan(
            String app,
            String host,
            String repository,
            String tag,
            String digest,
            String version,
            ImageVerdict verdict,
            String overrideReason,
            String previousDigest,
            String previousVersion) {}

    /**
     * Resolves {@code REPO:TAG} or {@code REPO@sha256:…} through the ledger and applies the gate.
     *
     * @param overrideReason non-null: release even if not VERIFIED (recorded with the release);
     *     must say why
     */
    public Plan plan(String reference, String overrideReason) {
        return plan(reference, overrideReason, null);
    }

    /**
     * @param host the app host to release to (null: the only one)
     */
    public Plan plan(String reference, String overrideReason, String host) {
        String on = config.host(host).name();
        if (overrideReason != null && overrideReason.isBlank()) {
            throw new Refused(
                    "--force needs --reason TEXT: the override is recorded with the release");
        }
        String repository;
        String tag = null;
        String digest;
        int at = reference.indexOf('@');
        if (at > 0) {
            repository = reference.substring(0, at);
            digest = reference.substring(at + 1);
            if (!DIGEST.matcher(digest).matches()) {
                throw new Refused("'" + reference + "': the digest must be sha256:<64 hex>");
            }
        } else {
            int colon = reference.lastIndexOf(':');
            if (colon <= 0) {
                throw new Refused("'" + reference + "' is not REPO:TAG or REPO@sha256:<hex>");
            }
            repository = reference.substring(0, colon);
            tag = reference.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                throw new Refused("'" + tag + "' is not a valid tag");
            }
            if (!repository.equals(config.repository())) {
                throw new Refused(
                        "this stack releases " + config.repository() + " only, not " + repository);
            }
            String t = tag;
            digest =
                    ledger.head(repository, tag)
                            .map(TagHead::digest)
                            .filter(d -> d != null && !d.isEmpty())
                            .orElseThrow(
                                    () ->
                                            new Refused(
                                                    "the ledger has no image tagged "
                                                            + repository
                                                            + ":"
                                                            + t
                                                            + " (bin/qm ledger "
                                                            + repository
                                                            + ")"));
        }
        if (!repository.equals(config.repository())) {
            String d = digest;
            throw new Refused(
                    "this stack releases "
                            + config.repository()
                            + " only, not "
                            + repository
                            + ledger.image(repository, d)
                                    .filter(ImageRecord::archivedInEcr)
                                    .map(i -> "; besides, " + archivedMessage(reference, i))
                                    .orElse(""));
        }
        ImageRecord image =
                ledger.image(repository, digest)
                        .orElseThrow(
                                () ->
                                        new Refused(
                                                "the ledger has no image "
                                                        + repository
                                                        + "@"
                                                        + digest));
        if (image.deleted() && overrideReason == null) {
            throw new Refused(
                    repository
                            + "@"
                            + digest
                            + " was deleted from the registry. If the host still holds it (a rollback to"
                            + " what ran before), override with --force --reason TEXT (recorded): the host uses its own copy and pulls nothing");
        }
        if (image.archivedInEcr() && overrideReason == null) {
            throw new Refused(archivedMessage(reference, image));
        }
        ImageVerdict verdict = image.verdict();
        if (verdict != ImageVerdict.VERIFIED && overrideReason == null) {
            String why =
                    image.verification() == null
                            ? "it has not been verified yet"
                            : "its verdict is "
                                    + verdict
                                    + (image.verification().reason() == null
                                            ? ""
                                            : ": " + image.verification().reason());
            throw new Refused(
                    "refused: "
                            + reference
                            + " is not releasable, "
                            + why
                            + ". Nothing was sent; the host is untouched. Override with --force --reason TEXT (recorded).");
        }
        String version = image.verification() == null ? null : image.verification().found();
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new Refused(
                    "no version is known inside "
                            + repository
                            + "@"
                            + digest
                            + ": the release could not prove what runs (verify the image first)");
        }
        if (tag != null) {
            checkTag(repository, tag, image, version, overrideReason);
        }
        if (config.signatures().required(repository) && overrideReason == null) {
            ImageRecord.Signature sig =
                    signatures == null
                            ? image.signature()
                            : recheckSignature(repository, digest, image.signature());
            if (sig == null || !sig.signed()) {
                String why =
                        sig == null
                                ? "its signature has not been checked"
                                : "its signature is "
                                        + sig.state()
                                        + (sig.reason() == null ? "" : ": " + sig.reason());
                throw new Refused(
                        "refused: "
                                + reference
                                + " needs a valid signature (signatureRequired) and "
                                + why
                                + ". Nothing was sent; the host is untouched. Push it through the signing pipeline (ECR signs on push), or override with"
                                + " --force --reason TEXT (recorded).");
            }
            if (signatures == null
                    && (sig.at() == null
                            || Duration.between(sig.at(), clock.instant())
                                            .compareTo(SIGNATURE_FRESHNESS)
                                    > 0)) {
                throw new Refused(
                        "refused: "
                                + reference
                                + " was last found SIGNED at "
                                + (sig.at() == null ? "an unrecorded time" : sig.at())
                                + ", more than "
                                + SIGNATURE_FRESHNESS.toHours()
                                + " h ago, and its signature cannot be re-checked here (a revocation or an expiry since would go unseen)."
                                + " Nothing was sent. Run bin/qm verify "
                                + repository
                                + "@"
                                + digest
                                + " (or wait for image-verify's hourly re-check), then release.");
            }
        }
        Optional<ReleaseRecord> last = lastGood(on);
        return new Plan(
                config.app(),
                on,
                repository,
                tag,
                digest,
                version,
                verdict,
                overrideReason,
                last.map(ReleaseRecord::running).orElse(null),
                last.map(ReleaseRecord::runningVersion).orElse(null));
    }

    /** Why an archived digest is refused, and the command that restores it. */
    private static String archivedMessage(String reference, ImageRecord image) {
        return "refused: "
                + (reference.contains("@") ? reference : reference + " (" + image.digest() + ")")
                + " is in ECR's archive storage class since "
                + image.storage().at()
                + ": ECR answers 404 to a pull of it. Nothing was sent; the host is untouched. Restore it with\n  "
                + StorageClass.restoreCommand(image.repository(), image.digest())
                + "\nECR restores within about 20 minutes and sends an event that records STANDARD here (bin/qm ledger "
                + image.repository()
                + "@"
                + image.digest()
                + " shows it); then release again. If the host still holds the image (a rollback to what ran"
                + " before), override with --force --reason TEXT (recorded): the host uses its own copy.";
    }

    /**
     * A release by tag: the digest's verdict is the last one written for it, perhaps for another
     * tag, so the version found inside must keep THIS tag's promise (the version rules, as
     * image-verify reads them), and the image must carry the tag.
     */
    private void checkTag(
            String repository, String tag, ImageRecord image, String found, String overrideReason) {
        String what = repository + ":" + tag;
        if (!image.tags().contains(tag)) {
            throw new Refused(
                    "refused: the ledger's head of "
                            + what
                            + " names "
                            + image.digest()
                            + ", but that image does not carry the tag"
                            + " (its tags: "
                            + String.join(",", image.tags())
                            + "); the tag is moving. Nothing was sent; try again, or release by digest.");
        }
        if (overrideReason != null) {
            return;
        }
        Optional<RuleFormat.Promise> promise = RuleFormat.promise(config.rules(), repository, tag);
        if (promise.isEmpty()) {
            throw new Refused(
                    "refused: no version rule gives "
                            + what
                            + " a promise, so the verdict of "
                            + image.digest()
                            + " ("
                            + image.verdict()
                            + ", found "
                            + found
                            + ") is not one for this tag. Nothing was sent; the host is untouched. Release a tag"
                            + " a rule covers, or override with --force --reason TEXT (recorded).");
        }
        if (!RuleFormat.keeps(promise.get().version(), found)) {
            String verifiedFor =
                    image.verification() == null || image.verification().promised() == null
                            ? ""
                            : " (its "
                                    + image.verdict()
                                    + " verdict was for a tag promising "
                                    + image.verification().promised()
                                    + ")";
            throw new Refused(
                    "refused: "
                            + what
                            + " promises "
                            + promise.get().version()
                            + ", but "
                            + repository
                            + "@"
                            + image.digest()
                            + " holds "
                            + found
                            + verifiedFor
                            + ". Nothing was sent; the host is untouched. Override with --force --reason TEXT (recorded).");
        }
    }

    /**
     * Re-verifies the signature now, within {@link #signatureBound} (failing closed: no answer in
     * time refuses), records the new verdict on the digest and alerts when a digest that was SIGNED
     * no longer is (revoked, expired, untrusted since).
     */
    private ImageRecord.Signature recheckSignature(
            String repository, String digest, ImageRecord.Signature before) {
        java.util.concurrent.ExecutorService one =
                java.util.concurrent.Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "qm-signature-recheck");
                            t.setDaemon(true);
                            return t;
                        });
        dev.quartermaster.signature.SignatureVerdict v;
        try {
            Duration wait = signatureBound.dividedBy(2);
            v =
                    one.submit(() -> signatures.check(repository, digest, wait))
                            .get(
                                    signatureBound.toMillis(),
                                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Refused(
                    "refused: the signature of "
                            + repository
                            + "@"
                            + digest
                            + " could not be re-checked within "
                            + signatureBound.toSeconds()
                            + " s (registry or revocation list not answering). Nothing was sent; the host is untouched. Try again, or override with --force"
                            + " --reason TEXT (recorded).");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new Refused(
                    "refused: the signature of "
                            + repository
                            + "@"
                            + digest
                            + " could not be re-checked: "
                            + Text.oneLine(
                                    String.valueOf(
                                            e.getCause() == null ? e : e.getCause().getMessage()),
                                    200)
                            + ". Nothing was sent; the host is untouched.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(
                    "refused: interrupted while re-checking the signature of "
                            + repository
                            + "@"
                            + digest
                            + "; nothing was sent");
        } finally {
            one.shutdownNow();
        }
        ImageRecord.Signature now =
                new ImageRecord.Signature(
                        v.state().name(), v.identity(), v.reason(), v.signedAt(), v.checkedAt());
        ledger.recordSignature(repository, digest, now);
        if (before != null && before.signed() && !now.signed()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("repository", repository);
            attrs.put("digest", digest);
            attrs.put("signature", now.state());
            alerts.publish(
                    new Alert(
                                    "SIGNATURE_" + now.state(),
                                    "SIGNATURE_"
                                            + now.state()
                                            + ": "
                                            + repository
                                            + "@"
                                            + digest.substring(0, 19)
                                            + " no longer SIGNED",
                                    "The release gate re-checked the signature of "
                                            + repository
                                            + "@"
                                            + digest
                                            + ", SIGNED when checked at "
                                            + before.at()
                                            + (before.identity() == null
                                                    ? ""
                                                    : " by " + before.identity())
                                            + ": now "
                                            + now.state()
                                            + (now.reason() == null
                                                    ? ""
                                                    : " (" + now.reason() + ")")
                                            + ". Its releases are refused; find out why (a revoked or expired"
                                            + " signing certificate or profile) before trusting it.",
                                    attrs)
                            .withNext("bin/qm verify " + repository + "@" + digest + " --aws"));
        }
        return now;
    }

    /**
     * The tag the plan resolved still names the planned digest in the ledger (it may move while a
     * restore point is taken).
     */
    private void recheckTag(Plan plan) {
        if (plan.tag() == null) {
            return;
        }
        String now = ledger.head(plan.repository(), plan.tag()).map(TagHead::digest).orElse(null);
        if (!plan.digest().equals(now)) {
            throw new Refused(
                    "refused: "
                            + plan.repository()
                            + ":"
                            + plan.tag()
                            + " now names "
                            + (now == null || now.isEmpty() ? "no image" : now)
                            + ", not "
                            + plan.digest()
                            + " which was checked. Nothing was sent; the host is untouched. Release it again to check what it names now.");
        }
    }

    /**
     * The last release whose outcome left a proven digest running (RELEASED, or ROLLED_BACK to the
     * one before).
     */
    public Optional<ReleaseRecord> lastGood() {
        return lastGood(null);
    }

    /** On one app host (null: the only one). */
    public Optional<ReleaseRecord> lastGood(String host) {
        return lastGoodIn(history(host));
    }

    /** One host's releases and rollbacks, newest first (the drift checks left out). */
    private List<ReleaseRecord> history(String host) {
        return store.list(config.app(), config.host(host).name()).stream()
                .filter(r -> r.kind() != ReleaseRecord.Kind.CHECK)
                .toList();
    }

    /**
     * The last good release in a history read newest first (drift checks never count: they are
     * CHECKED).
     */
    public static Optional<ReleaseRecord> lastGoodIn(List<ReleaseRecord> history) {
        return history.stream()
                .filter(
                        r ->
                                (r.status() == ReleaseRecord.Status.RELEASED
                                                || r.status() == ReleaseRecord.Status.ROLLED_BACK)
                                        && r.running() != null)
                .findFirst();
    }

    /**
     * The release before the last good one that differs from it: what {@code rollback} returns to.
     */
    public Optional<ReleaseRecord> previousGood() {
        return previousGood(null);
    }

    /** On one app host (null: the only one). */
    public Optional<ReleaseRecord> previousGood(String host) {
        return previousGoodIn(history(host));
    }

    /** The rollback target in a history read newest first: one read serves both questions. */
    public static Optional<ReleaseRecord> previousGoodIn(List<ReleaseRecord> history) {
        Optional<ReleaseRecord> last = lastGoodIn(history);
        return history.stream()
                .filter(r -> r.status() == ReleaseRecord.Status.RELEASED && r.running() != null)
                .filter(r -> last.isEmpty() || !r.running().equals(last.get().running()))
                .findFirst();
    }

    /**
     * Sends the release document and records the release RUNNING; the host reports the outcome to
     * {@link #onStatus}.
     */
    public ReleaseRecord start(
            Plan plan, String restorePoint, String requestedBy, ReleaseRecord.Kind kind) {
        recheckTag(plan);
        // an override leaves its trace before anything is sent: if this write fails, nothing is
        // sent
        ReleaseRecord audit = null;
        if (plan.overrideReason() != null) {
            audit =
                    new ReleaseRecord(
                            config.app(),
                            plan.host(),
                            "override-" + java.util.UUID.randomUUID(),
                            kind,
                            ReleaseRecord.Status.RUNNING,
                            plan.repository(),
                            plan.tag(),
                            plan.digest(),
                            plan.version(),
                            plan.previousDigest(),
                            Text.oneLine(requestedBy, 128),
                            clock.instant(),
                            restorePoint,
                            Text.oneLine(plan.overrideReason(), 400),
                            null,
                            null,
                            "override requested; the command is being sent",
                            null,
                            null);
            if (!store.create(audit)) {
                throw new IllegalStateException(
                        "the override's record could not be written: nothing was sent");
            }
        }
        try {
            ReleaseRecord sent = send(plan, restorePoint, requestedBy, kind);
            if (audit != null) {
                store.settle(
                        audit.settled(
                                ReleaseRecord.Status.SENT,
                                "override sent as command " + sent.commandId(),
                                clock.instant()));
            }
            return sent;
        } catch (RuntimeException e) {
            if (audit != null) {
                store.settle(
                        audit.settled(
                                ReleaseRecord.Status.FAILED,
                                "the command was not sent: "
                                        + Text.oneLine(String.valueOf(e.getMessage()), 300),
                                clock.instant()));
            }
            throw e;
        }
    }

    private ReleaseRecord send(
            Plan plan, String restorePoint, String requestedBy, ReleaseRecord.Kind kind) {
        // the digest released and the one a rollback returns to are kept from lifecycle rules
        // before the host hears of either
        for (String digest : new String[] {plan.digest(), plan.previousDigest()}) {
            if (digest == null) {
                continue;
            }
            try {
                protection.protect(plan.repository(), digest);
            } catch (RuntimeException e) {
                throw new Refused(
                        "could not protect "
                                + plan.repository()
                                + "@"
                                + digest
                                + " from lifecycle rules (tag "
                                + ReleaseProtection.tagFor(digest)
                                + "): "
                                + Text.oneLine(String.valueOf(e.getMessage()), 300)
                                + ". Nothing was sent; the host is untouched.");
            }
        }
        Map<String, String> params =
                HostDocument.RELEASE
                        .call()
                        .with(HostParam.DIGEST, plan.digest())
                        .with(HostParam.EXPECTED_VERSION, plan.version())
                        .with(HostParam.PREVIOUS_DIGEST, plan.previousDigest())
                        .with(HostParam.PREVIOUS_VERSION, plan.previousVersion())
                        .with(HostParam.HOST_NAME, plan.host())
                        .parameters();
        String commandId =
                commands.send(
                        config.releaseDocument(),
                        params,
                        config.host(plan.host()),
                        "Quartermaster "
                                + kind.name().toLowerCase()
                                + " "
                                + plan.repository()
                                + (plan.tag() == null ? "" : ":" + plan.tag()));
        ReleaseRecord r =
                new ReleaseRecord(
                        config.app(),
                        plan.host(),
                        commandId,
                        kind,
                        ReleaseRecord.Status.RUNNING,
                        plan.repository(),
                        plan.tag(),
                        plan.digest(),
                        plan.version(),
                        plan.previousDigest(),
                        Text.oneLine(requestedBy, 128),
                        clock.instant(),
                        restorePoint,
                        plan.overrideReason() == null
                                ? null
                                : Text.oneLine(plan.overrideReason(), 400),
                        null,
                        null,
                        null,
                        null,
                        null);
        store.create(r);
        return r;
    }

    /**
     * Each digest the release histories name (released, rolled back to, or replaced), with when it
     * stopped being needed: null while it runs on an app host, is that host's rollback target, or
     * is in a release under way; otherwise when the release that superseded it was asked for.
     */
    public Map<String, Instant> releasedDigests() {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (Host h : config.hosts()) {
            List<ReleaseRecord> history = history(h.name());
            Set<String> needed = new java.util.HashSet<>();
            lastGoodIn(history).map(ReleaseRecord::running).ifPresent(needed::add);
            previousGoodIn(history).map(ReleaseRecord::running).ifPresent(needed::add);
            history.stream()
                    .filter(r -> !r.status().terminal() || r.status() == ReleaseRecord.Status.SENT)
                    .forEach(
                            r ->
                                    java.util.stream.Stream.of(r.toDigest(), r.fromDigest())
                                            .filter(java.util.Objects::nonNull)
                                            .forEach(needed::add));
            for (int k = 0; k < history.size(); k++) {
                ReleaseRecord r = history.get(k);
                Instant stopped =
                        k == 0
                                ? (r.finishedAt() == null ? r.requestedAt() : r.finishedAt())
                                : history.get(k - 1).requestedAt();
                for (String d : new String[] {r.toDigest(), r.fromDigest(), r.running()}) {
                    if (d == null || !DIGEST.matcher(d).matches()) {
                        continue;
                    }
                    Instant when = needed.contains(d) ? null : stopped;
                    if (!out.containsKey(d)) {
                        out.put(d, when);
                    } else if (out.get(d) != null && (when == null || when.isAfter(out.get(d)))) {
                        out.put(d, when);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The release marks the registry holds on the app's repository: digest → its qm-release- tags.
     */
    public Map<String, java.util.Set<String>> marks() {
        return protection.marked(config.repository());
    }

    /**
     * Takes the protecting mark off what no release needs any more (after the grace period); see
     * {@link ReleaseProtection}.
     */
    public ReleaseProtection.Sweep sweepProtection() {
        return protection.sweep(config.repository(), releasedDigests());
    }

    /**
     * Asks every app host which digest runs (the drift check); each answer arrives at {@link
     * #onStatus}.
     */
    public List<ReleaseRecord> checkAll(String requestedBy) {
        List<ReleaseRecord> sent = new java.util.ArrayList<>();
        RuntimeException first = null;
        for (Host h : config.hosts()) { // one host that cannot be reached does not keep the others
            // unchecked
            try {
                sent.add(check(h.name(), requestedBy));
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
        return sent;
    }

    /**
     * Asks the host which digest runs (the drift check); the answer arrives at {@link #onStatus}.
     */
    public ReleaseRecord check(String requestedBy) {
        return check(null, requestedBy);
    }

    /**
     * @param host the app host to ask (null: the only one)
     */
    public ReleaseRecord check(String host, String requestedBy) {
        Host h = config.host(host);
        String commandId =
                commands.send(
                        config.checkDocument(),
                        HostDocument.RELEASE_CHECK.call().parameters(),
                        h,
                        "Quartermaster drift check " + config.app() + " on " + h.name());
        ReleaseRecord r =
                new ReleaseRecord(
                        config.app(),
                        h.name(),
                        commandId,
                        ReleaseRecord.Kind.CHECK,
                        ReleaseRecord.Status.RUNNING,
                        config.repository(),
                        null,
                        null,
                        null,
                        null,
                        requestedBy,
                        clock.instant(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null);
        store.create(r);
        return r;
    }

    public enum Settled {
        FOREIGN_DOCUMENT,
        UNKNOWN_COMMAND,
        NOT_FINAL,
        ALREADY_SETTLED,
        SETTLED
    }

    public record StatusResult(Settled settled, ReleaseRecord record) {}

    /**
     * SSM's report that a release or check command ended: reads the host's report from the output
     * and records it.
     */
    public StatusResult onStatus(String commandId, String status, String document) {
        if (document != null
                && !document.equals(config.releaseDocument())
                && !document.equals(config.checkDocument())) {
            return new StatusResult(Settled.FOREIGN_DOCUMENT, null);
        }
        Optional<ReleaseRecord> found = store.byCommandId(commandId);
        if (found.isEmpty()) {
            return new StatusResult(Settled.UNKNOWN_COMMAND, null);
        }
        ReleaseRecord r = found.get();
        if (r.status().terminal()) {
            return new StatusResult(Settled.ALREADY_SETTLED, r);
        }
        if (!FINAL.contains(status)) {
            return new StatusResult(Settled.NOT_FINAL, r);
        }
        String output = commands.output(commandId).orElse("");
        ReleaseRecord outcome =
                r.kind() == ReleaseRecord.Kind.CHECK
                        ? settleCheck(r, output)
                        : settleRelease(r, status, output);
        if (!store.settle(outcome)) {
            return new StatusResult(
                    Settled.ALREADY_SETTLED, store.byCommandId(commandId).orElse(outcome));
        }
        alert(outcome);
        return new StatusResult(Settled.SETTLED, outcome);
    }

    private ReleaseRecord settleRelease(ReleaseRecord r, String status, String output) {
        Optional<JsonNode> report = line(output, "QM-RELEASE ");
        if (report.isEmpty()) {
            return r.settled(
                    ReleaseRecord.Status.FAILED,
                    null,
                    null,
                    "SSM command ended "
                            + status
                            + " without the host's report: what runs now is unknown (bin/qm releases; check the host)",
                    null,
                    clock.instant());
        }
        JsonNode j = report.get();
        ReleaseRecord.Status s;
        try {
            s = ReleaseRecord.Status.valueOf(j.path("result").asText());
        } catch (IllegalArgumentException e) {
            s = ReleaseRecord.Status.FAILED;
        }
        if (s == ReleaseRecord.Status.RUNNING || s == ReleaseRecord.Status.CHECKED) {
            s = ReleaseRecord.Status.FAILED;
        }
        String running = digestOrNull(j.path("running").asText(""));
        String version = j.path("version").asText("");
        // no release was recorded on the host before: what it ran is what the host found running
        ReleaseRecord base =
                r.fromDigest() == null
                        ? r.withFromDigest(digestOrNull(j.path("from").asText("")))
                        : r;
        return base.settled(
                s,
                running,
                VERSION.matcher(version).matches() ? version : null,
                Text.oneLine(j.path("reason").asText(""), 400),
                // the host's steps with up to 2,000 characters of each hook's output (release.sh)
                Text.oneLine(j.path("steps").toString(), 16000),
                clock.instant());
    }

    private ReleaseRecord settleCheck(ReleaseRecord r, String output) {
        Optional<JsonNode> report = line(output, "QM-RUNNING ");
        String running = report.map(j -> digestOrNull(j.path("digest").asText(""))).orElse(null);
        Optional<ReleaseRecord> last = lastGood(r.host());
        String reason;
        if (report.isEmpty()) {
            reason = "the host did not report what runs";
        } else if (last.isEmpty()) {
            reason = "no release recorded yet; running " + running;
        } else if (last.get().running().equals(running)) {
            reason = "in step: running the last release " + running;
        } else {
            reason =
                    ReleaseRecord.DRIFT
                            + "the host runs "
                            + (running == null ? "no known digest" : running)
                            + " but the last release put "
                            + last.get().running()
                            + " there";
        }
        return r.settled(
                ReleaseRecord.Status.CHECKED, running, null, reason, null, clock.instant());
    }

    private void alert(ReleaseRecord o) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("app", o.app());
        attrs.put("host", o.host());
        attrs.put("commandId", o.commandId());
        if (o.kind() == ReleaseRecord.Kind.CHECK) {
            if (o.drifted()) {
                attrs.put("running", String.valueOf(o.running()));
                alerts.publish(
                        new Alert(
                                        "RELEASE_DRIFT",
                                        "RELEASE DRIFT: "
                                                + o.app()
                                                + " on "
                                                + o.host()
                                                + " runs another digest than released",
                                        o.reason()
                                                + ". Someone changed the host by hand, or a release ended unrecorded. bin/qm releases "
                                                + o.app()
                                                + " shows the history; bin/qm release puts a verified digest back.",
                                        attrs)
                                .withNext(
                                        "bin/qm releases "
                                                + o.app()
                                                + " --checks --host "
                                                + o.host()
                                                + " --aws"));
            }
            return;
        }
        if (o.status() == ReleaseRecord.Status.RELEASED) {
            return;
        }
        attrs.put("status", o.status().name());
        attrs.put("to", o.toDigest());
        String what = o.repository() + (o.tag() == null ? "@" + o.toDigest() : ":" + o.tag());
        String subject =
                switch (o.status()) {
                    case ROLLED_BACK -> "RELEASE ROLLED BACK: " + what;
                    case ROLLBACK_FAILED -> "RELEASE ROLLBACK FAILED: " + what;
                    case REFUSED -> "RELEASE REFUSED: " + what;
                    default -> "RELEASE FAILED: " + what;
                };
        alerts.publish(
                new Alert(
                                "RELEASE_" + o.status().name(),
                                subject,
                                "The release of "
                                        + what
                                        + " to "
                                        + o.app()
                                        + " on "
                                        + o.host()
                                        + " ended "
                                        + o.status()
                                        + ": "
                                        + o.reason()
                                        + ". Running now: "
                                        + (o.running() == null ? "unknown" : o.running())
                                        + (o.runningVersion() == null
                                                ? ""
                                                : " (version " + o.runningVersion() + ")")
                                        + ". Restore point: "
                                        + (o.restorePoint() == null ? "none" : o.restorePoint())
                                        + ".",
                                attrs)
                        .withNext("bin/qm releases " + o.app() + " --host " + o.host() + " --aws"));
    }

    private static String digestOrNull(String s) {
        return DIGEST.matcher(s).matches() ? s : null;
    }

    /** The JSON of the first output line starting with {@code prefix}, if it parses. */
    static Optional<JsonNode> line(String output, String prefix) {
        return output.lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .flatMap(
                        l -> {
                            try {
                                return Optional.of(
                                        EventParser.JSON.readTree(l.substring(prefix.length())));
                            } catch (java.io.IOException e) {
                                return Optional.empty();
                            }
                        });
    }
}
