package dev.quartermaster.registry;

import java.util.Map;
import java.util.Set;

/**
 * Tags on a repository's images, for the marks Quartermaster puts on what it releases. Adding a tag
 * never changes an image (the same manifest bytes, a new name); removing one never deletes an
 * image: a tag that is an image's only one stays (in ECR, removing the last tag deletes the image).
 */
public interface ImageTags {
    enum Removal {
        /** The tag is gone; the image keeps its other tags. */
        REMOVED,
        /** The digest did not carry the tag (already removed, or never added). */
        ABSENT,
        /** The tag is the image's only one: removing it would delete the image, so it stays. */
        ONLY_TAG,
        /**
         * The registry cannot remove a tag without deleting the manifest (the distribution API), so
         * it stays.
         */
        UNSUPPORTED
    }

    /**
     * Puts {@code tag} on the image {@code digest} (idempotent: a tag already there is success).
     */
    void add(String repository, String digest, String tag);

    /** Takes {@code tag} off the image {@code digest}, never deleting the image. */
    Removal remove(String repository, String digest, String tag);

    /** The images that carry a tag starting with {@code prefix}: digest → those tags. */
    Map<String, Set<String>> tagged(String repository, String prefix);
}
