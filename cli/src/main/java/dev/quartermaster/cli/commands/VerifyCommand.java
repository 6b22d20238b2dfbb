package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.verify.VerificationService;
import dev.quartermaster.verify.VerifyBudget;
import dev.quartermaster.verify.VerifyRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * bin/qm verify: every check of one digest again, on demand, each new verdict recorded (and alerted
 * as image-verify alerts).
 */
@Command(
        name = "verify",
        description = {
            "Re-run every check of a digest now and record the new verdicts: the version inside against each tag's"
                    + " promise (REPO:TAG: that tag only) and the signature (chain and expiry now, revocation, trusted identities).",
            "Settles a PENDING signature; sees a revocation or an expiry since the push.",
            "With --aws the trusted roots must be named here too: SIGNING_TRUST_ROOTS (PEM file) and SIGNING_IDENTITIES (JSON list),"
                    + " as deployed; without them nothing is recorded (the hourly re-check in AWS does it).",
            "Exit: 0 VERIFIED (and SIGNED where required), 1 error, 2 usage, 3 not in the ledger, 4 another verdict."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Parameters(index = "0", paramLabel = "REPO@sha256:<hex>|REPO:TAG")
    String reference;

    @Override
    public Integer call() {
        String repository;
        String digestOrTag;
        boolean byDigest = reference.contains("@");
        int at = byDigest ? reference.indexOf('@') : reference.lastIndexOf(':');
        try {
            repository = Validation.repository(at > 0 ? reference.substring(0, at) : "");
            digestOrTag =
                    byDigest
                            ? Validation.digest(reference.substring(at + 1))
                            : reference.substring(at + 1);
        } catch (MalformedEventException e) {
            System.err.println(
                    "qm verify: '"
                            + reference
                            + "' is not REPO@sha256:<64 hex> or REPO:TAG ("
                            + e.getMessage()
                            + ")");
            return 2;
        }
        if (target.aws) {
            Map<String, String> settings = new HashMap<>(target.awsSettings());
            Optional.ofNullable(settings.get(Setting.RELEASE_IMAGE_URI.name()))
                    .filter(u -> u.contains("/"))
                    .ifPresent(
                            u ->
                                    settings.putIfAbsent(
                                            Setting.REGISTRY_URL.name(),
                                            "https://" + u.substring(0, u.indexOf('/'))));
            Platform p = new Platform(Settings.of(settings));
            if (dev.quartermaster.signature.SignatureRoot.enabled(p.settings())
                    && p.settings().get(Setting.SIGNING_TRUST_ROOTS).isBlank()) {
                System.err.println(
                        "qm verify: the signature gate is on but SIGNING_TRUST_ROOTS names no roots here: set it (and SIGNING_IDENTITIES,"
                                + " SIGNING=managed) as deployed, or let image-verify's hourly re-check settle it. Nothing was recorded.");
                return 2;
            }
            return verify(VerifyRoot.verification(p), p, repository, digestOrTag, byDigest);
        }
        try (LocalEnvironment local = target.local()) {
            LocalServices ls = LocalServices.create(local, null, System.err, false);
            Platform p = ls.wiring.platform();
            return verify(
                    VerifyRoot.verification(p),
                    p,
                    repository,
                    digestOrTag,
                    byDigest); // the local registry and revocation list
        }
    }

    private int verify(
            VerificationService service,
            Platform p,
            String repository,
            String digestOrTag,
            boolean byDigest) {
        var ledger = LedgerRoot.store(p);
        String digest =
                byDigest
                        ? digestOrTag
                        : ledger.head(repository, digestOrTag)
                                .map(dev.quartermaster.ledger.TagHead::digest)
                                .filter(d -> !d.isEmpty())
                                .orElse(null);
        Optional<ImageRecord> image =
                digest == null ? Optional.empty() : ledger.image(repository, digest);
        if (image.isEmpty()) {
            System.err.println(
                    "qm verify: "
                            + reference
                            + " is not in the ledger (bin/qm ledger "
                            + repository
                            + ")");
            return 3;
        }
        List<String> tags = byDigest ? new ArrayList<>(image.get().tags()) : List.of(digestOrTag);
        tags.removeIf(
                t ->
                        t.startsWith(
                                dev.quartermaster.contract.LifecycleRules
                                        .PROTECT_PREFIX)); // the release marks promise nothing
        if (tags.isEmpty()) {
            System.err.println(
                    "qm verify: "
                            + reference
                            + " carries no tag: there is no promise to check (an untagged digest is verified through its index)");
            return 3;
        }
        VerificationService.Verified v =
                service.recheck(repository, digest, tags, VerifyBudget.of(Duration.ofMinutes(5)));
        ImageRecord now = ledger.image(repository, digest).orElseThrow();
        System.out.println(
                repository
                        + "@"
                        + digest
                        + ": "
                        + now.verdict()
                        + (now.verification() == null || now.verification().reason() == null
                                ? ""
                                : " (" + now.verification().reason() + ")")
                        + (v.signature() == null ? "" : "; signature " + v.signature()));
        boolean required =
                new dev.quartermaster.signature.TrustPolicy(
                                List.of(),
                                List.of(),
                                dev.quartermaster.signature.SignatureRoot.required(p.settings()),
                                true)
                        .required(repository);
        boolean ok =
                now.verdict() == dev.quartermaster.ledger.ImageVerdict.VERIFIED
                        && (!required || (v.signature() != null && v.signature().signed()));
        return ok ? 0 : 4;
    }
}
