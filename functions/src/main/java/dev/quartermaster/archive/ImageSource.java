package dev.quartermaster.archive;

import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.DigestMismatchException;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where an image is copied from: the registry (archiving) or the archive itself (export, restore).
 */
public interface ImageSource {

    /**
     * The manifest by digest, its bytes checked against the digest. {@code mediaType} is the
     * descriptor's (may be null).
     */
    Manifest manifest(String repository, String digest, String mediaType);

    /** The blob's bytes as stored; the receiving side hashes them. */
    InputStream blob(String repository, String digest);

    /**
     * Signatures, SBOMs and attestations that refer to {@code digest}, where the source knows them.
     */
    List<Descriptor> referrers(String repository, String digest);

    static ImageSource fromRegistry(RegistryClient registry) {
        return new ImageSource() {
            @Override
            public Manifest manifest(String repository, String digest, String mediaType) {
                return registry.manifest(repository, digest);
            }

            @Override
            public InputStream blob(String repository, String digest) {
                return registry.blobStream(repository, digest);
            }

            @Override
            public List<Descriptor> referrers(String repository, String digest) {
                return registry.referrers(repository, digest);
            }
        };
    }

    /** Reads back from an archive: every byte is verified against its digest as it is read. */
    static ImageSource fromLayout(ArchiveLayout layout) {
        return new ImageSource() {
            @Override
            public Manifest manifest(String repository, String digest, String mediaType) {
                try (Digests.VerifyingInputStream in =
                        new Digests.VerifyingInputStream(layout.openBlob(digest), digest)) {
                    byte[] bytes = in.readNBytes(4 * 1024 * 1024 + 1);
                    if (bytes.length > 4 * 1024 * 1024) {
                        throw new ArchiveException(
                                "archived manifest " + digest + " is larger than 4 MiB");
                    }
                    in.drainAndVerify();
                    return RegistryClient.parse(digest, bytes, mediaType == null ? "" : mediaType);
                } catch (DigestMismatchException e) {
                    throw new ArchiveException(
                            "archived manifest " + digest + " is corrupt: " + e.getMessage(), e);
                } catch (IOException e) {
                    throw new ArchiveException(
                            "reading archived manifest " + digest + " failed: " + e.getMessage(),
                            e);
                }
            }

            @Override
            public InputStream blob(String repository, String digest) {
                return new Digests.VerifyingInputStream(layout.openBlob(digest), digest);
            }

            @Override
            public List<Descriptor> referrers(String repository, String digest) {
                return layout.readIndex().index().entries().stream()
                        .filter(
                                e ->
                                        e.repository().equals(repository)
                                                && digest.equals(e.subject()))
                        .map(
                                e ->
                                        new Descriptor(
                                                e.mediaType(),
                                                e.digest(),
                                                e.size(),
                                                null,
                                                java.util.Map.of()))
                        .toList();
            }
        };
    }
}
