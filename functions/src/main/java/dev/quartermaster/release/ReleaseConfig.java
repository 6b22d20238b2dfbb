package dev.quartermaster.release;

import dev.quartermaster.common.Settings;

/**
 * The one app this stack releases: its ECR repository (ledger lookups), the image URI the host pulls
 * from ({@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>}), the release and check documents,
 * and the tag that names the host.
 */
public record ReleaseConfig(String app, String repository, String imageRepo, String releaseDocument, String checkDocument,
                            String hostTagKey, String hostTagValue) {

    public static ReleaseConfig from(Settings s) {
        String repository = s.require("RELEASE_REPOSITORY");
        return new ReleaseConfig(repository, repository, s.require("RELEASE_IMAGE_URI"), s.require("RELEASE_DOCUMENT"),
                s.require("RELEASE_CHECK_DOCUMENT"), s.require("HOST_TAG_KEY"), s.require("HOST_TAG_VALUE"));
    }
}
