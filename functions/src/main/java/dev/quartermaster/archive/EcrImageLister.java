package dev.quartermaster.archive;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageDetail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** ECR's DescribeImages, every page: tagged and untagged images alike. */
public final class EcrImageLister implements ImageLister {
    private final Supplier<EcrClient> ecr;

    public EcrImageLister(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public List<Listed> list(String repository) {
        List<Listed> out = new ArrayList<>();
        for (ImageDetail d :
                ecr.get()
                        .describeImagesPaginator(b -> b.repositoryName(repository))
                        .imageDetails()) {
            out.add(
                    new Listed(
                            repository,
                            d.imageDigest(),
                            d.hasImageTags() ? List.copyOf(d.imageTags()) : List.of(),
                            d.imageSizeInBytes() == null ? 0 : d.imageSizeInBytes()));
        }
        return out;
    }
}
