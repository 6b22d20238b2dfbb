package dev.quartermaster.registry;

import java.util.List;

/**
 * A manifest as fetched: either an image manifest (config + layers, base layer first) or an index
 * of platform manifests. {@code digest} is the sha256 of the exact bytes the registry sent, which
 * {@code bytes} holds.
 */
public record Manifest(
        String digest,
        String mediaType,
        long size,
        Descriptor config,
        List<Descriptor> layers,
        List<Descriptor> manifests,
        byte[] bytes) {

    /**
     * Everything this manifest points at directly: its config and layers, or an index's manifests.
     */
    public List<Descriptor> children() {
        if (isIndex()) {
            return manifests;
        }
        List<Descriptor> all = new java.util.ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return all;
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** Compressed size of the image: config plus every layer. */
    public long imageBytes() {
        return (config == null ? 0 : config.size())
                + layers.stream().mapToLong(Descriptor::size).sum();
    }
}
