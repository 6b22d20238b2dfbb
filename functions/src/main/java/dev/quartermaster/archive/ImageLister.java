package dev.quartermaster.archive;

import java.util.List;

/**
 * What a repository holds now (ECR DescribeImages; a registry's tag list locally): the reconcile's
 * view.
 */
public interface ImageLister {

    /**
     * One image: its digest, its tags (none: untagged) and its size as the registry reports it (0:
     * not reported).
     */
    record Listed(String repository, String digest, List<String> tags, long size) {
        public Listed(String repository, String digest, List<String> tags) {
            this(repository, digest, tags, 0);
        }
    }

    List<Listed> list(String repository);
}
