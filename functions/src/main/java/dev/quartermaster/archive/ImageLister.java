package dev.quartermaster.archive;

import java.util.List;

/** What a repository holds now (ECR DescribeImages; a registry's tag list locally): the reconcile's view. */
public interface ImageLister {

    /** One image: its digest and its tags (none: untagged). */
    record Listed(String repository, String digest, List<String> tags) {
    }

    List<Listed> list(String repository);
}
