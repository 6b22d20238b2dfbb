package dev.quartermaster.archive;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies archived images of one repository into a directory as an OCI image layout (tags as ref
 * names): the offline copy any OCI tool reads. The same copy as archiving, reading from the
 * archive, each byte checked against its digest as it is read and again as it is written.
 */
public final class ArchiveExport {
    private ArchiveExport() {}

    /**
     * @param tag null: every image of the repository the archive holds
     */
    public static List<ImageArchiver.Result> export(
            ArchiveLayout from,
            String repository,
            String tag,
            DirectoryLayout to,
            ImageArchiver.Progress progress) {
        List<ArchiveIndex.Entry> entries =
                from.readIndex().index().entries().stream()
                        .filter(
                                e ->
                                        e.repository().equals(repository)
                                                && e.subject() == null
                                                && (tag == null || tag.equals(e.tag())))
                        .toList();
        if (entries.isEmpty()) {
            throw new ArchiveException(
                    "the archive "
                            + from.describe()
                            + " holds no "
                            + (tag == null
                                    ? "image of " + repository
                                    : "tag " + repository + ":" + tag));
        }
        ImageArchiver copier =
                new ImageArchiver(
                        ImageSource.fromLayout(from),
                        to,
                        ImageArchiver.Limits.defaults(),
                        Clock.systemUTC());
        List<ImageArchiver.Result> out = new ArrayList<>();
        for (ArchiveIndex.Entry e : entries) {
            out.add(copier.archive(repository, e.digest(), e.tag(), Instant.MAX, progress));
        }
        return out;
    }
}
