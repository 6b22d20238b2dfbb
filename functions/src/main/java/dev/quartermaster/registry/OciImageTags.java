package dev.quartermaster.registry;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tags through the OCI distribution API (a local registry): a tag is added by putting the digest's
 * manifest bytes under it. The API cannot remove a tag without deleting the manifest it names, so a
 * removal answers {@link Removal#UNSUPPORTED} and the tag stays.
 */
public final class OciImageTags implements ImageTags {
    private final RegistryClient reader;
    private final RegistryWriter writer;

    public OciImageTags(RegistryClient reader, RegistryWriter writer) {
        this.reader = reader;
        this.writer = writer;
    }

    @Override
    public void add(String repository, String digest, String tag) {
        Manifest m = reader.manifest(repository, digest);
        String put = writer.putManifest(repository, tag, m.mediaType(), m.bytes());
        if (!put.equals(digest)) {
            throw new RegistryException(
                    "tagging "
                            + repository
                            + "@"
                            + digest
                            + " as "
                            + tag
                            + ": the registry stored "
                            + put);
        }
    }

    @Override
    public Removal remove(String repository, String digest, String tag) {
        return tagged(repository, tag).getOrDefault(digest, Set.of()).contains(tag)
                ? Removal.UNSUPPORTED
                : Removal.ABSENT;
    }

    @Override
    public Map<String, Set<String>> tagged(String repository, String prefix) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String t : reader.tags(repository)) {
            if (t.startsWith(prefix)) {
                out.computeIfAbsent(
                                reader.manifest(repository, t).digest(), d -> new LinkedHashSet<>())
                        .add(t);
            }
        }
        return out;
    }
}
