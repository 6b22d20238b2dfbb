package dev.quartermaster.lifecycle;

import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The preview's flags: the lines that would hurt are the ones an operator must see before the rules
 * bite.
 */
class LifecyclePreviewTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static ImageRecord image(
            String digest, int daysAgo, boolean archived, ImageVerdict verdict, String... tags) {
        Instant at = NOW.minus(Duration.ofDays(daysAgo));
        return ImageRecord.builder("wordpress", digest)
                .pushed(at, at)
                .tags(Set.of(tags))
                .verification(new ImageRecord.Verification(verdict, "6.x", "6.4.3", "ok", 1, 1, at))
                .archive(archived ? new ImageRecord.Archive(true, 1, 0, at) : null)
                .build();
    }

    @Test
    void anExpiringImageTheHostRuns_orARollbackNeeds_isFlagged_andAProtectedOneIsKept() {
        LifecycleRules keepTwo = LifecycleRules.defaults(7, 2);
        List<ImageRecord> images =
                List.of(
                        image("new", 1, true, ImageVerdict.VERIFIED, "wp-6.6-v1"),
                        image("newer-unreleased", 2, false, ImageVerdict.VERIFIED, "wp-6.5-v3"),
                        image("running", 30, true, ImageVerdict.VERIFIED, "wp-6.5-v2"),
                        image(
                                "previous",
                                60,
                                true,
                                ImageVerdict.VERIFIED,
                                "wp-6.4-v1",
                                LifecycleRules.PROTECT_PREFIX + "wordpress-host-1"),
                        image("unarchived", 90, false, ImageVerdict.MISMATCH, "wp-6.3-v9"));

        Map<String, LifecyclePreview.Line> lines =
                LifecyclePreview.preview(
                                keepTwo,
                                images,
                                Set.of("running"),
                                Set.of("previous"),
                                NOW.minus(Duration.ofDays(30)),
                                NOW)
                        .stream()
                        .collect(Collectors.toMap(LifecyclePreview.Line::digest, l -> l));

        assertThat(lines.get("running").action()).isEqualTo("EXPIRE");
        assertThat(lines.get("running").flags()).contains(LifecyclePreview.Flag.RUNNING);
        assertThat(lines.get("running").hurts()).isTrue();
        assertThat(lines.get("previous").action())
                .as("its release tag claims it for the protection rule")
                .isEqualTo("PROTECTED");
        assertThat(lines.get("previous").hurts()).isFalse();
        assertThat(lines.get("unarchived").flags()).contains(LifecyclePreview.Flag.NOT_ARCHIVED);
        assertThat(lines.get("unarchived").hurts()).isTrue();
        assertThat(lines.get("new").action()).isEqualTo("KEEP");
        assertThat(lines.get("newer-unreleased").flags())
                .contains(
                        LifecyclePreview.Flag.VERIFIED_NEWER_THAN_RELEASE,
                        LifecyclePreview.Flag.NOT_ARCHIVED);
        assertThat(lines.get("newer-unreleased").hurts()).as("kept: nothing lost").isFalse();
    }

    @Test
    void aMarkTheRegistryHolds_protects_evenBeforeTheLedgerHearsOfIt() {
        LifecycleRules keepOne = LifecycleRules.defaults(7, 1);
        List<ImageRecord> images =
                List.of(
                        image("new", 1, true, ImageVerdict.VERIFIED, "wp-6.6-v1"),
                        image("running", 30, true, ImageVerdict.VERIFIED, "wp-6.5-v2"));
        LifecyclePreview.Needs needs =
                new LifecyclePreview.Needs(
                        Set.of("running"), Set.of(), NOW.minus(Duration.ofDays(30)));

        var without = LifecyclePreview.preview(keepOne, images, Map.of(), needs, NOW);
        var with =
                LifecyclePreview.preview(
                        keepOne,
                        images,
                        Map.of("running", Set.of(LifecycleRules.PROTECT_PREFIX + "abc")),
                        needs,
                        NOW);

        assertThat(
                        without.stream()
                                .filter(l -> l.digest().equals("running"))
                                .findFirst()
                                .orElseThrow()
                                .hurts())
                .isTrue();
        LifecyclePreview.Line marked =
                with.stream().filter(l -> l.digest().equals("running")).findFirst().orElseThrow();
        assertThat(marked.action()).isEqualTo("PROTECTED");
        assertThat(marked.tags()).contains(LifecycleRules.PROTECT_PREFIX + "abc", "wp-6.5-v2");
    }

    @Test
    void ecrsPreviewAnswer_isFlaggedTheSameWay_andWhatItDoesNotNameIsKept() {
        LifecycleRules rules = LifecycleRules.defaults(7, 1);
        List<ImageRecord> images =
                List.of(
                        image("new", 1, true, ImageVerdict.VERIFIED, "wp-6.6-v1"),
                        image("running", 30, false, ImageVerdict.VERIFIED, "wp-6.5-v2"),
                        image("cold", 60, true, ImageVerdict.VERIFIED, "wp-6.4-v1"));
        var lines =
                LifecyclePreview.fromEcr(
                                rules,
                                images,
                                Map.of(),
                                Map.of(
                                        "running",
                                        new LifecyclePreview.EcrAction("EXPIRE", 3),
                                        "cold",
                                        new LifecyclePreview.EcrAction("TRANSITION", 3)),
                                new LifecyclePreview.Needs(Set.of("running"), Set.of("cold"), NOW))
                        .stream()
                        .collect(Collectors.toMap(LifecyclePreview.Line::digest, l -> l));

        assertThat(lines.get("new").action()).isEqualTo("KEEP");
        assertThat(lines.get("running").hurts()).isTrue();
        assertThat(lines.get("running").flags())
                .contains(LifecyclePreview.Flag.RUNNING, LifecyclePreview.Flag.NOT_ARCHIVED);
        assertThat(lines.get("running").rule()).contains("rule 3").contains("ECR's preview");
        assertThat(lines.get("cold").hurts())
                .as("archive storage cannot be pulled: a rollback there fails")
                .isTrue();
    }

    private static final String ARCHIVE_AND_EXPIRE =
            """
            {"rules": [
              {"rulePriority": 1, "description": "Archive images older than 30 days", "selection": {"tagStatus": "any", "countType": "sinceImagePushed",
               "countUnit": "days", "countNumber": 30}, "action": {"type": "transition", "targetStorageClass": "archive"}},
              {"rulePriority": 2, "description": "Expire images archived for more than 365 days", "selection": {"tagStatus": "any", "storageClass": "archive",
               "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 365}, "action": {"type": "expire"}}]}""";

    @Test
    void
            preview_withStorageClasses_archivedImagesMeetOnlyArchiveRules_andArchivingTheRunningDigestHurts() {
        LifecycleRules rules = LifecycleRules.parse(ARCHIVE_AND_EXPIRE);
        List<ImageRecord> images =
                List.of(
                        image("new", 1, true, ImageVerdict.VERIFIED, "wp-6.6-v1"),
                        image("running", 40, true, ImageVerdict.VERIFIED, "wp-6.5-v2"),
                        image("cold", 900, true, ImageVerdict.VERIFIED, "wp-6.2-v1"),
                        image("cooling", 900, true, ImageVerdict.VERIFIED, "wp-6.3-v1"));
        Map<String, LifecyclePreview.Storage> storage =
                Map.of(
                        "cold",
                                new LifecyclePreview.Storage(
                                        LifecycleRules.StorageClass.ARCHIVE,
                                        NOW.minus(Duration.ofDays(400))),
                        "cooling",
                                new LifecyclePreview.Storage(
                                        LifecycleRules.StorageClass.ARCHIVE,
                                        NOW.minus(Duration.ofDays(100))));
        var lines =
                LifecyclePreview.preview(
                                rules,
                                images,
                                Map.of(),
                                storage,
                                new LifecyclePreview.Needs(Set.of("running"), Set.of(), null),
                                NOW)
                        .stream()
                        .collect(Collectors.toMap(LifecyclePreview.Line::digest, l -> l));

        assertThat(lines.get("new").action()).isEqualTo("KEEP");
        assertThat(lines.get("running").action()).isEqualTo("TRANSITION");
        assertThat(lines.get("running").hurts()).as("archive storage cannot be pulled").isTrue();
        assertThat(lines.get("cold").action()).isEqualTo("EXPIRE");
        assertThat(lines.get("cold").rule()).startsWith("rule 3 (cdk.json's 2)");
        assertThat(lines.get("cooling").action())
                .as("archived 100 days ago; the 30-day transition rule sees only standard images")
                .isEqualTo("KEEP");
    }

    @Test
    void findings_nameAMultiPrefixRuleThatSelectsNothing_withTheFix() {
        LifecycleRules seed =
                LifecycleRules.parse(
                        """
                [{"rulePriority": 20, "selection": {"tagStatus": "tagged", "tagPrefixList": ["feature-", "fix-", "dev-"], "countType": "imageCountMoreThan",
                  "countNumber": 5}, "action": {"type": "expire"}}]""");
        List<ImageRecord> images =
                List.of(
                        image("a", 1, true, ImageVerdict.VERIFIED, "feature-login"),
                        image("b", 2, true, ImageVerdict.VERIFIED, "fix-42"));

        List<String> findings = LifecyclePreview.findings(seed, images, Map.of(), Map.of());

        assertThat(findings)
                .anySatisfy(
                        f ->
                                assertThat(f)
                                        .contains("rule 20")
                                        .contains("EVERY listed prefix")
                                        .contains("one rule per prefix"));
        assertThat(findings)
                .anySatisfy(
                        f -> assertThat(f).contains("rule 20 selects no image of this repository"));
    }

    @Test
    void
            anImageTheLedgerRecordsAsArchived_isLeftAloneByStandardRules_withoutBeingNamedByTheCaller() {
        LifecycleRules keepOne = LifecycleRules.defaults(7, 1);
        ImageRecord archived =
                ImageRecord.builder("wordpress", "archived")
                        .pushed(NOW.minus(Duration.ofDays(90)), NOW.minus(Duration.ofDays(90)))
                        .tags(Set.of("wp-6.3-v1"))
                        .verification(
                                new ImageRecord.Verification(
                                        ImageVerdict.VERIFIED, "6.x", "6.3.1", "ok", 1, 1, NOW))
                        .storage(
                                new ImageRecord.Storage(
                                        dev.quartermaster.ledger.StorageClass.ARCHIVE,
                                        NOW.minus(Duration.ofDays(10))))
                        .build();
        List<ImageRecord> images =
                List.of(
                        image("new", 1, true, ImageVerdict.VERIFIED, "wp-6.6-v1"),
                        image("standard-old", 60, true, ImageVerdict.VERIFIED, "wp-6.4-v1"),
                        archived);

        Map<String, LifecyclePreview.Line> lines =
                LifecyclePreview.preview(
                                keepOne,
                                images,
                                Map.of(),
                                new LifecyclePreview.Needs(Set.of(), Set.of(), null),
                                NOW)
                        .stream()
                        .collect(Collectors.toMap(LifecyclePreview.Line::digest, l -> l));

        assertThat(lines.get("standard-old").action())
                .as("the standard rule counts it")
                .isEqualTo("EXPIRE");
        assertThat(lines.get("archived").action())
                .as("an archived image is evaluated only by rules selecting archive")
                .isEqualTo("KEEP");
    }
}
