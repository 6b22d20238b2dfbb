package dev.quartermaster.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** What the ledger knows about one digest of a repository. */
public record ImageRecord(
        String repository,
        String digest,
        String manifestMediaType,
        String artifactMediaType,
        Instant firstPushedAt,
        Instant lastPushedAt,
        Set<String> tags,
        boolean deleted,
        String indexDigest,
        Verification verification,
        Map<String, Integer> scanCounts,
        boolean scanFailed,
        Instant deletedAt,
        Archive archive,
        Signature signature,
        Storage storage,
        ScanAcceptance scanAcceptance) {

    public static Builder builder(String repository, String digest) {
        return new Builder(repository, digest);
    }

    /** Every field by name, as the stores read an item back. */
    public static final class Builder {
        private final String repository;
        private final String digest;
        private String manifestMediaType;
        private String artifactMediaType;
        private Instant firstPushedAt;
        private Instant lastPushedAt;
        private Set<String> tags = Set.of();
        private boolean deleted;
        private Instant deletedAt;
        private String indexDigest;
        private Verification verification;
        private Map<String, Integer> scanCounts;
        private boolean scanFailed;
        private Archive archive;
        private Signature signature;
        private Storage storage;
        private ScanAcceptance scanAcceptance;

        private Builder(String repository, String digest) {
            this.repository = repository;
            this.digest = digest;
        }

        public Builder mediaTypes(String manifest, String artifact) {
            this.manifestMediaType = manifest;
            this.artifactMediaType = artifact;
            return this;
        }

        public Builder pushed(Instant first, Instant last) {
            this.firstPushedAt = first;
            this.lastPushedAt = last;
            return this;
        }

        public Builder tags(Set<String> v) {
            this.tags = v;
            return this;
        }

        public Builder deleted(boolean v, Instant at) {
            this.deleted = v;
            this.deletedAt = at;
            return this;
        }

        public Builder indexDigest(String v) {
            this.indexDigest = v;
            return this;
        }

        public Builder verification(Verification v) {
            this.verification = v;
            return this;
        }

        public Builder scan(Map<String, Integer> counts, boolean failed) {
            this.scanCounts = counts;
            this.scanFailed = failed;
            return this;
        }

        public Builder archive(Archive v) {
            this.archive = v;
            return this;
        }

        public Builder signature(Signature v) {
            this.signature = v;
            return this;
        }

        public Builder storage(Storage v) {
            this.storage = v;
            return this;
        }

        public Builder scanAcceptance(ScanAcceptance v) {
            this.scanAcceptance = v;
            return this;
        }

        public ImageRecord build() {
            return new ImageRecord(
                    repository,
                    digest,
                    manifestMediaType,
                    artifactMediaType,
                    firstPushedAt,
                    lastPushedAt,
                    tags,
                    deleted,
                    indexDigest,
                    verification,
                    scanCounts,
                    scanFailed,
                    deletedAt,
                    archive,
                    signature,
                    storage,
                    scanAcceptance);
        }
    }

    /**
     * True when ECR last said this digest is in its ARCHIVE storage class (not {@link #archive},
     * Quartermaster's own copy): it cannot be pulled until restored.
     */
    public boolean archivedInEcr() {
        return storage != null && storage.storageClass() == StorageClass.ARCHIVE;
    }

    /** The verdict a person reads: a failed scan gate overrides the version check. */
    public ImageVerdict verdict() {
        if (scanFailed) {
            return ImageVerdict.FAILED_SCAN;
        }
        return verification == null ? null : verification.verdict();
    }

    /** The verifier's last word on this digest; null fields mean "not verified yet". */
    public record Verification(
            ImageVerdict verdict,
            String promised,
            String found,
            String reason,
            long bytesFetched,
            long imageBytes,
            Instant at) {}

    /**
     * The image archive's last word on this digest: complete when every blob it names is in the
     * archive; bytes stored by this image's archiving, and bytes it found already archived (shared
     * layers).
     */
    public record Archive(boolean complete, long bytesStored, long bytesDeduplicated, Instant at) {}

    /**
     * The signature gate's last word on this digest: {@code state} SIGNED, UNSIGNED, INVALID,
     * PENDING or FAILED; who signed (SIGNED), why not (the others), when it was signed and when
     * this was checked.
     */
    public record Signature(
            String state, String identity, String reason, Instant signedAt, Instant at) {
        public boolean signed() {
            return "SIGNED".equals(state);
        }
    }

    /**
     * ECR's storage class of this digest as the ledger last heard it, and the time of that event (a
     * push of an archived digest restores it: STANDARD as of the push). Null: never archived, i.e.
     * STANDARD since its push.
     */
    public record Storage(StorageClass storageClass, Instant at) {}

    /**
     * Why a failed scan gate no longer holds this digest back: the findings counted when it was
     * lifted ({@code counts}; the gate then counts only what comes on top of them), who lifted it,
     * why and when. A digest's content never changes, so nothing else lifts it: neither Inspector
     * closing findings (it does when it stops monitoring an image) nor a later scan counting fewer.
     */
    public record ScanAcceptance(
            How how, String by, String reason, Map<String, Integer> counts, Instant at) {
        public enum How {
            /**
             * {@code bin/qm scan accept REPO@DIGEST --reason TEXT}: {@code by} is the operator's
             * identity.
             */
            OPERATOR,
            /**
             * A finding suppressed in Amazon Inspector (a suppression rule, which only its
             * delegated administrator makes).
             */
            INSPECTOR_SUPPRESSED
        }

        public ScanAcceptance {
            counts = counts == null ? Map.of() : Map.copyOf(counts);
        }
    }
}
