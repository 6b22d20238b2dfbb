package dev.quartermaster.archive;

import dev.quartermaster.registry.RegistryClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository's tagged images through the distribution API (a registry without ECR's
 * DescribeImages: bin/qm's local one). Untagged images are not listed there; ECR's lister finds
 * those.
 */
public final class RegistryImageLister implements ImageLister {
    private final RegistryClient registry;

    public RegistryImageLister(RegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public List<Listed> list(String repository) {
        Map<String, List<String>> byDigest = new LinkedHashMap<>();
        for (String tag : registry.tags(repository)) {
            byDigest.computeIfAbsent(
                            registry.manifest(repository, tag).digest(), d -> new ArrayList<>())
                    .add(tag);
        }
        List<Listed> out = new ArrayList<>();
        byDigest.forEach(
                (digest, tags) -> out.add(new Listed(repository, digest, List.copyOf(tags))));
        return out;
    }
}
