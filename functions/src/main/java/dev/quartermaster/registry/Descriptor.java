package dev.quartermaster.registry;

import java.util.Map;

/** An OCI content descriptor: what a manifest or index points at. */
public record Descriptor(
        String mediaType,
        String digest,
        long size,
        Platform platform,
        Map<String, String> annotations) {

    /** os/architecture[/variant] of an index entry; null for plain manifests. */
    public record Platform(String os, String architecture, String variant) {
        @Override
        public String toString() {
            return os
                    + "/"
                    + architecture
                    + (variant == null || variant.isEmpty() ? "" : "/" + variant);
        }
    }

    /**
     * BuildKit stores provenance attestations in the index as manifests for platform
     * unknown/unknown. Only that counts: an annotation alone ({@code vnd.docker.reference.type}) is
     * something anyone can write on a real platform manifest to have it skipped.
     */
    public boolean isAttestation() {
        return platform != null
                && "unknown".equals(platform.os())
                && "unknown".equals(platform.architecture());
    }
}
