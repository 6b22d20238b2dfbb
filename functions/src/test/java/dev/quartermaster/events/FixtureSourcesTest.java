package dev.quartermaster.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fixture names the AWS source its shape follows (events/SOURCES.md), and every (source,
 * detail-type) the code handles has a fixture. The checks run on the repository, and on a throwaway
 * tree to prove each one fails.
 */
class FixtureSourcesTest {
    static final Path ROOT = FixtureSources.repositoryRoot();

    @Test
    void everyFixtureHasOneRow_andEveryRowNamesAFixture() {
        assertThat(FixtureSources.fixtures(ROOT))
                .as("the fixtures found")
                .contains("events/image-action-push.json");
        assertThat(FixtureSources.problems(ROOT))
                .as("events/SOURCES.md against the fixtures")
                .isEmpty();
    }

    @Test
    void everyDetailTypeTheCodeHandles_hasAFixture() {
        List<FixtureSources.Handled> handled = FixtureSources.handled();
        assertThat(handled)
                .as("read from dev.quartermaster.events")
                .extracting(FixtureSources.Handled::key)
                .contains(
                        "aws.ecr / ECR Image Action",
                        "aws.ssm / EC2 Command Invocation Status-change Notification",
                        "aws.events / Scheduled Event");
        assertThat(FixtureSources.uncovered(ROOT, handled)).isEmpty();
    }

    @Test
    void problems_whenAFixtureHasNoRow_nameTheRowToAdd(@TempDir Path root) throws IOException {
        tree(root, "| `events/image-action-push.json` | ECR-EB | fields |\n");
        Files.writeString(root.resolve("events/image-action-archived.json"), "{}");
        Files.createDirectories(root.resolve("infra/src/test/resources/ecr"));
        Files.writeString(
                root.resolve("infra/src/test/resources/ecr/lifecycle-archive-and-expire.json"),
                "{\"rules\":[]}");

        assertThat(FixtureSources.problems(root))
                .containsExactly(
                        "events/SOURCES.md has no row for events/image-action-archived.json: add "
                                + "| `events/image-action-archived.json` | <the AWS source: page title + URL, SDK repository + file, or specification + section> "
                                + "| <what was compared with it> |",
                        "events/SOURCES.md has no row for infra/src/test/resources/ecr/lifecycle-archive-and-expire.json: "
                                + "add | `infra/src/test/resources/ecr/lifecycle-archive-and-expire.json` | <the AWS source: page title + URL, SDK repository + file, "
                                + "or specification + section> | <what was compared with it> |");
    }

    @Test
    void problems_whenARowNamesNoFile_orLeavesTheSourceEmpty(@TempDir Path root)
            throws IOException {
        tree(
                root,
                "| `events/image-action-push.json` | ECR-EB | fields |\n| `events/gone.json` | ECR-EB | fields |\n"
                        + "| `functions/src/test/resources/aws/empty.json` |  | fields |\n");
        Files.createDirectories(root.resolve("functions/src/test/resources/aws"));
        Files.writeString(root.resolve("functions/src/test/resources/aws/empty.json"), "{}");

        assertThat(FixtureSources.problems(root))
                .containsExactly(
                        "events/SOURCES.md has a row for events/gone.json, which does not exist: remove the row or restore the file",
                        "events/SOURCES.md's row for functions/src/test/resources/aws/empty.json leaves its source or what was checked empty: name both");
    }

    @Test
    void problems_whenARowNamesASourceLabelNobodyDefined(@TempDir Path root) throws IOException {
        tree(
                root,
                "| `events/image-action-push.json` | ECR-EB; ECR-GUESS (section); `Notation-OCI-SHA384-ECDSA` | fields |\n");

        assertThat(FixtureSources.problems(root))
                .containsExactly(
                        "events/SOURCES.md's row for events/image-action-push.json names source "
                                + "ECR-GUESS, which is not defined above the table: add - **ECR-GUESS**: <page title + URL, SDK file, or specification section>, "
                                + "or name the source in the row");
    }

    @Test
    void uncovered_namesTheHandledDetailTypeWithoutAFixture(@TempDir Path root) throws IOException {
        tree(root, "");
        List<FixtureSources.Handled> handled =
                List.of(
                        new FixtureSources.Handled(
                                "aws.ecr", "ECR Image Action", "EcrImageAction.DETAIL_TYPE"),
                        new FixtureSources.Handled(
                                "aws.ssm",
                                "EC2 Command Status-change Notification",
                                "SsmCommandStatus.COMMAND_DETAIL_TYPE"));

        assertThat(FixtureSources.uncovered(root, handled))
                .containsExactly(
                        "no fixture under events/ has source 'aws.ssm' and detail-type "
                                + "'EC2 Command Status-change Notification' (SsmCommandStatus.COMMAND_DETAIL_TYPE): add one shaped as AWS's published sample "
                                + "and its row in events/SOURCES.md");
    }

    /**
     * A tree with events/SOURCES.md defining ECR-EB and holding {@code rows}, one push fixture and
     * a file that is not JSON.
     */
    private static void tree(Path root, String rows) throws IOException {
        Files.createDirectories(root.resolve("events"));
        Files.createDirectories(root.resolve("functions"));
        Files.writeString(
                root.resolve("events/SOURCES.md"),
                "- **ECR-EB**: ECR user guide, https://docs.aws.amazon.com/x.html\n\n"
                        + "| fixture | source | what was checked |\n|---|---|---|\n"
                        + rows);
        Files.writeString(
                root.resolve("events/image-action-push.json"),
                "{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"detail\":{}}");
        Files.writeString(root.resolve("events/README.md"), "not a fixture");
    }
}
