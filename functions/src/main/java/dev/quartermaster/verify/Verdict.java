package dev.quartermaster.verify;

import dev.quartermaster.ledger.ImageVerdict;

import java.util.List;

/**
 * The outcome of verifying one image (or an index: the worst of its platforms). Severity order,
 * best first: VERIFIED, NO_RULE, UNVERIFIABLE, MISMATCH, FAILED_SCAN.
 */
public record Verdict(
        ImageVerdict kind,
        String promised,
        String found,
        String reason,
        long bytesFetched,
        long imageBytes,
        List<Verdict> platforms,
        String platform) {

    /** Reasons quote registries and image contents: one line, bounded. */
    public Verdict {
        reason = dev.quartermaster.common.Text.oneLine(reason, 1000);
        found = dev.quartermaster.common.Text.oneLine(found, Versions.MAX_LENGTH);
        platform = dev.quartermaster.common.Text.oneLine(platform, 128);
    }

    public static Verdict of(
            ImageVerdict kind,
            String promised,
            String found,
            String reason,
            long fetched,
            long size) {
        return new Verdict(kind, promised, found, reason, fetched, size, List.of(), null);
    }

    /** The fields a person reads in the function's result and log line. */
    public java.util.Map<String, Object> details() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("verdict", kind.name());
        d.put("promised", promised);
        d.put("found", found);
        d.put("reason", reason);
        d.put("bytesFetched", bytesFetched);
        d.put("imageBytes", imageBytes);
        platforms.forEach(
                p ->
                        d.put(
                                "platform " + p.platform(),
                                p.kind() + " " + (p.found() == null ? "" : p.found())));
        return d;
    }

    public Verdict forPlatform(String p) {
        return new Verdict(kind, promised, found, reason, bytesFetched, imageBytes, platforms, p);
    }

    /** The worst platform decides; bytes add up. */
    public static Verdict worstOf(List<Verdict> platforms, long indexBytes) {
        Verdict worst = platforms.get(0);
        for (Verdict v : platforms) {
            if (v.kind().ordinal() > worst.kind().ordinal()) {
                worst = v;
            }
        }
        long fetched = indexBytes + platforms.stream().mapToLong(Verdict::bytesFetched).sum();
        long size = platforms.stream().mapToLong(Verdict::imageBytes).sum();
        String reason = (worst.platform() == null ? "" : worst.platform() + ": ") + worst.reason();
        return new Verdict(
                worst.kind(),
                worst.promised(),
                worst.found(),
                reason,
                fetched,
                size,
                List.copyOf(platforms),
                null);
    }
}
