package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryException;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks an image against what its tag promises, reading as little as it can: the config blob for
 * label and env rules; for file rules, layers newest first, stopping at the first layer that holds
 * the file, hides it or deletes it. Every byte read is digest-checked before it is believed. Image
 * contents are untrusted: whatever goes wrong while reading them (a bomb, a huge header, a corrupt
 * frame, the deadline) ends in an UNVERIFIABLE verdict with the reason, never in an exception; only
 * a registry that keeps failing transiently is thrown, so the event is retried.
 */
public final class ImageVerifier {
    private static final Duration DEFAULT_TIME = Duration.ofMinutes(5);
    private final RegistryClient registry;
    private final VerifyRules rules;

    public ImageVerifier(RegistryClient registry, VerifyRules rules) {
        this.registry = registry;
        this.rules = rules;
    }

    /** What a verification found; {@code children} are the platform manifests of an index. */
    public record Report(String digest, String mediaType, Verdict verdict, List<String> children) {}

    public Report verify(String repository, String reference, String tag) {
        return verify(repository, reference, tag, VerifyBudget.of(DEFAULT_TIME));
    }

    public Report verify(String repository, String reference, String tag, VerifyBudget budget) {
        try {
            return verifyOrThrow(repository, reference, tag, budget);
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw e; // the registry is down, not the image: Lambda retries the event later
            }
            return unreadable(
                    reference, "the registry could not give the image: " + e.getMessage());
        } catch (RuntimeException e) {
            // a malformed manifest, a corrupt compressed frame, a parser limit: a fact about this
            // image
            return unreadable(
                    reference,
                    "the image could not be read: "
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage());
        }
    }

    private static Report unreadable(String reference, String reason) {
        return new Report(
                reference,
                null,
                Verdict.of(ImageVerdict.UNVERIFIABLE, null, null, reason, 0, 0),
                List.of());
    }

    private Report verifyOrThrow(
            String repository, String reference, String tag, VerifyBudget budget) {
        Optional<VerifyRules.Match> match = rules.match(repository, tag);
        Manifest top = registry.manifest(repository, reference);
        List<Descriptor> platforms =
                top.isIndex()
                        ? top.manifests().stream().filter(d -> !d.isAttestation()).toList()
                        : List.of();
        List<String> children = platforms.stream().map(Descriptor::digest).toList();
        if (match.isEmpty()) {
            return new Report(
                    top.digest(),
                    top.mediaType(),
                    Verdict.of(
                            ImageVerdict.NO_RULE,
                            null,
                            null,
                            "no rule's tag pattern matches '" + tag + "' in " + repository,
                            top.size(),
                            top.imageBytes()),
                    children);
        }
        if (!top.isIndex()) {
            Verdict v = image(repository, top, match.get(), budget);
            return new Report(
                    top.digest(), top.mediaType(), withExtraBytes(v, top.size()), children);
        }
        if (platforms.isEmpty()) {
            return new Report(
                    top.digest(),
                    top.mediaType(),
                    Verdict.of(
                            ImageVerdict.UNVERIFIABLE,
                            match.get().promised(),
                            null,
                            "the index lists no platform manifests",
                            top.size(),
                            0),
                    children);
        }
        if (platforms.size() > budget.limits().maxPlatforms()) {
            return new Report(
                    top.digest(),
                    top.mediaType(),
                    Verdict.of(
                            ImageVerdict.UNVERIFIABLE,
                            match.get().promised(),
                            null,
                            "the index lists "
                                    + platforms.size()
                                    + " platforms, more than the limit of "
                                    + budget.limits().maxPlatforms(),
                            top.size(),
                            0),
                    List.of());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Descriptor d : platforms) {
            Manifest m = registry.manifest(repository, d.digest());
            String platform = d.platform() == null ? d.digest() : d.platform().toString();
            verdicts.add(
                    withExtraBytes(image(repository, m, match.get(), budget), m.size())
                            .forPlatform(platform));
        }
        return new Report(
                top.digest(), top.mediaType(), Verdict.worstOf(verdicts, top.size()), children);
    }

    private static Verdict withExtraBytes(Verdict v, long extra) {
        return new Verdict(
                v.kind(),
                v.promised(),
                v.found(),
                v.reason(),
                v.bytesFetched() + extra,
                v.imageBytes(),
                v.platforms(),
                v.platform());
    }

    private Verdict image(
            String repository, Manifest m, VerifyRules.Match match, VerifyBudget budget) {
        if (m.isIndex()) {
            return Verdict.of(
                    ImageVerdict.UNVERIFIABLE,
                    match.promised(),
                    null,
                    "nested index " + m.digest() + " is not supported",
                    0,
                    0);
        }
        if (m.layers().size() > budget.limits().maxLayers()) {
            return Verdict.of(
                    ImageVerdict.UNVERIFIABLE,
                    match.promised(),
                    null,
                    "the image has "
                            + m.layers().size()
                            + " layers, more than the limit of "
                            + budget.limits().maxLayers(),
                    0,
                    m.imageBytes());
        }
        VerifyRule rule = match.rule();
        return switch (rule.source()) {
            case LABEL, ENV -> fromConfig(repository, m, match);
            case FILE -> fromLayers(repository, m, match, budget);
        };
    }

    private Verdict fromConfig(String repository, Manifest m, VerifyRules.Match match) {
        VerifyRule rule = match.rule();
        JsonNode config = registry.jsonBlob(repository, m.config().digest()).path("config");
        String value = null;
        if (rule.source() == VerifyRule.Source.LABEL) {
            JsonNode label = config.path("Labels").path(rule.key());
            value = label.isTextual() ? label.asText() : null;
        } else {
            for (JsonNode env : config.path("Env")) {
                String s = env.asText();
                if (s.startsWith(rule.key() + "=")) {
                    value = s.substring(rule.key().length() + 1);
                }
            }
        }
        long fetched = m.config().size();
        if (value == null) {
            return Verdict.of(
                    ImageVerdict.UNVERIFIABLE,
                    match.promised(),
                    null,
                    "the image has no " + rule.describe(),
                    fetched,
                    m.imageBytes());
        }
        return judge(match, rule.extract(value), rule.describe(), fetched, m.imageBytes());
    }

    private Verdict fromLayers(
            String repository, Manifest m, VerifyRules.Match match, VerifyBudget budget) {
        VerifyRule rule = match.rule();
        long fetched = 0;
        List<Descriptor> layers = m.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Descriptor layer = layers.get(i);
            String where =
                    "layer "
                            + (i + 1)
                            + " of "
                            + layers.size()
                            + " ("
                            + layer.digest().substring(7, 19)
                            + ")";
            if (!LayerSearch.supported(layer)) {
                return Verdict.of(
                        ImageVerdict.UNVERIFIABLE,
                        match.promised(),
                        null,
                        where + " is " + layer.mediaType() + ", which the verifier cannot read yet",
                        fetched,
                        m.imageBytes());
            }
            LayerSearch.Result result;
            try (Digests.VerifyingInputStream raw =
                    new Digests.VerifyingInputStream(
                            budget.raw(
                                    registry.blobStream(repository, layer.digest()),
                                    layer.size(),
                                    where),
                            layer.digest())) {
                try {
                    InputStream tar =
                            budget.decompressed(LayerSearch.decompress(raw, layer), where);
                    result = LayerSearch.scan(tar, rule.path(), budget.limits().maxHeaderBytes());
                } catch (IOException | RuntimeException unreadable) {
                    fetched += raw.count();
                    if (!(unreadable instanceof VerifyBudget.ExceededException)) {
                        raw.drainAndVerify(); // a corrupt layer is first of all a digest
                        // mismatch: say that
                    }
                    return Verdict.of(
                            ImageVerdict.UNVERIFIABLE,
                            match.promised(),
                            null,
                            where + " could not be read: " + describe(unreadable),
                            fetched,
                            m.imageBytes());
                }
                raw.drainAndVerify(); // nothing read from a layer is believed before its
                // digest checks out
                fetched += raw.count();
            } catch (IOException e) {
                throw new RegistryException(
                        where + " of " + repository + "@" + m.digest() + ": " + e.getMessage(), e);
            }
            switch (result.kind()) {
                case FOUND -> {
                    return judge(
                            match,
                            rule.extract(result.content()),
                            rule.describe() + " in " + where,
                            fetched,
                            m.imageBytes());
                }
                case WHITED_OUT -> {
                    return Verdict.of(
                            ImageVerdict.UNVERIFIABLE,
                            match.promised(),
                            null,
                            rule.path() + " is deleted by a whiteout in " + where,
                            fetched,
                            m.imageBytes());
                }
                case HIDDEN -> {
                    return Verdict.of(
                            ImageVerdict.UNVERIFIABLE,
                            match.promised(),
                            null,
                            result.detail() + " (" + where + ")",
                            fetched,
                            m.imageBytes());
                }
                case ABSENT -> {
                    // keep looking in the layer below
                }
            }
        }
        return Verdict.of(
                ImageVerdict.UNVERIFIABLE,
                match.promised(),
                null,
                rule.path() + " is in none of the " + layers.size() + " layers",
                fetched,
                m.imageBytes());
    }

    private static String describe(Exception e) {
        return e instanceof IOException
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Verdict judge(
            VerifyRules.Match match,
            Optional<String> found,
            String where,
            long fetched,
            long size) {
        if (found.isEmpty()) {
            return Verdict.of(
                    ImageVerdict.UNVERIFIABLE,
                    match.promised(),
                    null,
                    "the rule's regex matched nothing in " + where,
                    fetched,
                    size);
        }
        if (!Versions.isSafe(found.get())) {
            return Verdict.of(
                    ImageVerdict.UNVERIFIABLE,
                    match.promised(),
                    null,
                    where
                            + " holds "
                            + Versions.preview(found.get())
                            + ", which is not a version (at most "
                            + Versions.MAX_LENGTH
                            + " of 0-9 A-Z a-z . + -)",
                    fetched,
                    size);
        }
        boolean kept = Versions.keeps(match.promised(), found.get());
        return Verdict.of(
                kept ? ImageVerdict.VERIFIED : ImageVerdict.MISMATCH,
                match.promised(),
                found.get(),
                "tag promises " + match.promised() + ", " + where + " says " + found.get(),
                fetched,
                size);
    }
}
