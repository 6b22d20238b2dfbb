package dev.quartermaster.registry;

import java.util.Set;

/** The manifest and layer media types of the OCI image spec and Docker's v2 schema 2. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST =
            "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST =
            "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

    /**
     * Sent as Accept on every manifest request: a registry answers 404 to an OCI tag asked for as
     * Docker only.
     */
    public static final String ACCEPT_MANIFESTS =
            String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

    /** The manifest media types, as ECR's BatchGetImage takes them (acceptedMediaTypes). */
    public static final java.util.List<String> MANIFEST_TYPES =
            java.util.List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);

    private MediaTypes() {}

    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }
}
