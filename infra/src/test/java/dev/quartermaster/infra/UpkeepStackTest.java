package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Upkeep;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The upkeep state machines as synthesised: Distributed Maps, their schedules, and roles that can
 * do no more than a run needs.
 */
class UpkeepStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Template DEFAULT = StackFixture.template(Map.of());

    @Test
    void
            scrubReconcileAndPrune_areStateMachines_eachMapDistributed_withTheConfiguredConcurrencyAndTolerance()
                    throws Exception {
        Template t =
                StackFixture.template(
                        Map.of("upkeepMaxConcurrency", 25, "upkeepToleratedFailurePercentage", 3));
        Map<String, Map<String, Object>> machines =
                t.findResources("AWS::StepFunctions::StateMachine");
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> m : machines.values()) {
            JsonNode props = JSON.valueToTree(m.get("Properties"));
            names.add(props.path("StateMachineName").asText());
            assertThat(props.path("StateMachineType").asText()).isEqualTo("STANDARD");
            JsonNode definition = JSON.readTree(props.path("DefinitionString").asText());
            List<JsonNode> maps = new ArrayList<>();
            definition
                    .path("States")
                    .forEach(
                            s -> {
                                if (s.path("Type").asText().equals("Map")) {
                                    maps.add(s);
                                }
                            });
            assertThat(maps).as(props.path("StateMachineName").asText()).isNotEmpty();
            for (JsonNode map : maps) {
                assertThat(map.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText())
                        .isEqualTo("DISTRIBUTED");
                assertThat(map.path("MaxConcurrency").asInt()).isEqualTo(25);
                assertThat(map.path("ToleratedFailurePercentage").asInt()).isEqualTo(3);
                assertThat(map.path("ItemReader").path("Resource").asText())
                        .isEqualTo("arn:aws:states:::s3:getObject");
                assertThat(map.path("ResultWriter").path("Resource").asText())
                        .isEqualTo("arn:aws:states:::s3:putObject");
            }
            assertThat(props.path("DefinitionSubstitutions").path("Function").path("Ref").asText())
                    .as("the job's live alias")
                    .contains("Live");
        }
        assertThat(names)
                .containsExactly(
                        "Test-archive-prune", "Test-archive-reconcile", "Test-archive-scrub");
    }

    @Test
    void eachSchedule_startsItsStateMachine_notAFunction() {
        for (Upkeep job : Upkeep.values()) {
            if (job.schedule() == null) {
                continue; // on demand (the backfill: deployed with replication, see backfill_*
                // below)
            }
            Map<String, Map<String, Object>> rules =
                    DEFAULT.findResources(
                            "AWS::Events::Rule",
                            Map.of("Properties", Map.of("ScheduleExpression", job.schedule())));
            assertThat(rules).as(job.jobName()).hasSize(1);
            JsonNode target =
                    JSON.valueToTree(rules.values().iterator().next())
                            .path("Properties")
                            .path("Targets")
                            .path(0);
            assertThat(DEFAULT.findResources("AWS::StepFunctions::StateMachine"))
                    .as(job.jobName() + " targets its state machine")
                    .containsKey(target.path("Arn").path("Ref").asText());
            assertThat(target.path("RoleArn").isMissingNode()).isFalse();
            assertThat(target.path("DeadLetterConfig").isMissingNode()).isFalse();
        }
    }

    @Test
    void
            stateMachineRole_mayInvokeOnlyItsFunction_readAndWriteOnlyItsRuns_andStartOnlyItsOwnChildren() {
        Map<String, Map<String, Object>> policies = DEFAULT.findResources("AWS::IAM::Policy");
        String scrub =
                policies.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("ImageArchiveScrubSchedule"))
                        .map(e -> JSON.valueToTree(e.getValue()).toString())
                        .reduce("", String::concat);
        assertThat(scrub)
                .as("the scrub machine's policies")
                .contains(
                        "lambda:InvokeFunction",
                        "states:StartExecution",
                        "states:DescribeExecution",
                        "states:StopExecution",
                        "states:RedriveExecution",
                        ":stateMachine:Test-archive-scrub\"",
                        ":execution:Test-archive-scrub:*\"",
                        ":execution:Test-archive-scrub/*\"",
                        ":execution:Test-archive-scrub/Rehash:*\"",
                        ":execution:Test-archive-scrub/Check:*\"",
                        "/upkeep/runs/archive-scrub/*\"",
                        "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload");
        assertThat(scrub)
                .as("nothing of the archive itself, nothing of another job")
                .doesNotContain(
                        "/blobs/",
                        "index.json",
                        "s3:DeleteObject",
                        "archive-prune",
                        "archive-reconcile",
                        "\"states:*\"",
                        "\"s3:*\"");
        JsonNode invoke =
                statements(policies, "ImageArchiveScrubSchedule", "lambda:InvokeFunction");
        assertThat(invoke.path("Resource").toString())
                .contains("ArchiveScrubLive")
                .doesNotContain("ImageArchiveLive", "ArchivePruneLive");
        JsonNode s3 = statements(policies, "ImageArchiveScrubSchedule", "s3:PutObject");
        assertThat(s3.path("Resource").toString())
                .as("objects of this job's runs only")
                .contains("/upkeep/runs/archive-scrub/*")
                .doesNotContain("\"/*\"");
    }

    @Test
    void eachFunction_writesAndReadsOnlyItsOwnRuns() {
        Map<String, Map<String, Object>> policies = DEFAULT.findResources("AWS::IAM::Policy");
        Map<String, String> own =
                Map.of(
                        "ImageArchiveArchiveScrubServiceRole",
                        "archive-scrub",
                        "ImageArchiveArchivePruneServiceRole",
                        "archive-prune",
                        "ImageArchiveServiceRole",
                        "archive-reconcile");
        assertThat(policies.keySet().stream().filter(k -> k.startsWith("RegistryEstate")).toList())
                .as("no replication: no backfill")
                .isEmpty();
        own.forEach(
                (role, job) -> {
                    String text =
                            policies.entrySet().stream()
                                    .filter(e -> e.getKey().startsWith(role))
                                    .map(e -> JSON.valueToTree(e.getValue()).toString())
                                    .reduce("", String::concat);
                    assertThat(text).as(role).contains("/upkeep/runs/" + job + "/*");
                    assertThat(Upkeep.byName(job)).as(job + " is an upkeep job").isPresent();
                    for (Upkeep other : Upkeep.values()) {
                        if (!other.jobName().equals(job)) {
                            assertThat(text)
                                    .as(role + " and " + other.jobName())
                                    .doesNotContain("/upkeep/runs/" + other.jobName());
                        }
                    }
                });
    }

    @Test
    void
            backfill_withReplication_isAStateMachineStartedByHand_whoseFunctionPushesOnlyToTheDestinationsRepositories() {
        Template t =
                StackFixture.template(
                        Map.of(
                                "replication",
                                "[{\"region\":\"eu-central-1\"},{\"region\":\"eu-west-1\",\"account\":\"444455556666\"}]",
                                "homeRegion",
                                "us-east-1",
                                "homeAccount",
                                "123456789012"));
        assertThat(
                        t.findResources("AWS::StepFunctions::StateMachine").values().stream()
                                .map(
                                        m ->
                                                JSON.valueToTree(m)
                                                        .path("Properties")
                                                        .path("StateMachineName")
                                                        .asText())
                                .toList())
                .contains("Test-replication-backfill");
        assertThat(
                        t.findResources("AWS::Events::Rule").values().stream()
                                .map(r -> JSON.valueToTree(r).toString())
                                .filter(r -> r.contains("replication-backfill"))
                                .toList())
                .as("no schedule starts the backfill")
                .isEmpty();
        Map<String, Map<String, Object>> policies = t.findResources("AWS::IAM::Policy");
        JsonNode push =
                statements(
                        policies, "RegistryEstateReplicationBackfillServiceRole", "ecr:PutImage");
        assertThat(push.path("Resource").toString())
                .contains(":ecr:eu-central-1:", ":ecr:eu-west-1:444455556666:repository/wordpress")
                .doesNotContain(":ecr:us-east-1:");
        JsonNode runs =
                statements(
                        policies, "RegistryEstateReplicationBackfillServiceRole", "s3:PutObject");
        assertThat(runs.path("Resource").toString())
                .contains("/upkeep/runs/replication-backfill/*");
        String replication =
                policies.entrySet().stream()
                        .filter(
                                e ->
                                        e.getKey()
                                                .startsWith(
                                                        "RegistryEstateImageReplicationServiceRole"))
                        .map(e -> JSON.valueToTree(e.getValue()).toString())
                        .reduce("", String::concat);
        assertThat(replication)
                .as("image-replication itself pushes nowhere")
                .doesNotContain("ecr:PutImage", "upkeep/runs");
    }

    @Test
    void aFailedRun_alarmsToTheAlertTopic() {
        DEFAULT.hasResourceProperties(
                "AWS::CloudWatch::Alarm",
                Map.of(
                        "MetricName",
                        "ExecutionsFailed",
                        "Namespace",
                        "AWS/States",
                        "AlarmActions",
                        Match.anyValue(),
                        "AlarmDescription",
                        Match.stringLikeRegexp("archive-scrub: a run failed.*redrive.*")));
    }

    @Test
    void runFiles_expireAfterAMonth() {
        DEFAULT.hasResourceProperties(
                "AWS::S3::Bucket",
                Map.of(
                        "LifecycleConfiguration",
                        Map.of(
                                "Rules",
                                Match.arrayWith(
                                        List.of(
                                                Match.objectLike(
                                                        Map.of(
                                                                "Id",
                                                                "UpkeepRuns",
                                                                "Prefix",
                                                                Upkeep.PREFIX,
                                                                "ExpirationInDays",
                                                                30)))))));
    }

    @Test
    void upkeepOptions_outsideTheirRange_failTheSynthSayingSo() {
        assertThatThrownBy(
                        () ->
                                StackFixture.template(
                                        Map.of(
                                                "upkeepMaxConcurrency",
                                                0,
                                                "upkeepToleratedFailurePercentage",
                                                101)))
                .hasMessageContaining("upkeepMaxConcurrency: 0 is outside 1..10000")
                .hasMessageContaining("upkeepToleratedFailurePercentage: 101 is outside 0..100");
    }

    /** The one statement of the policies of {@code prefix} granting {@code action}. */
    private static JsonNode statements(
            Map<String, Map<String, Object>> policies, String prefix, String action) {
        List<JsonNode> found = new ArrayList<>();
        policies.forEach(
                (id, p) -> {
                    if (id.startsWith(prefix)) {
                        JSON.valueToTree(p)
                                .path("Properties")
                                .path("PolicyDocument")
                                .path("Statement")
                                .forEach(
                                        s -> {
                                            if (s.path("Action")
                                                    .toString()
                                                    .contains("\"" + action + "\"")) {
                                                found.add(s);
                                            }
                                        });
                    }
                });
        assertThat(found).as(prefix + " " + action).hasSize(1);
        return found.get(0);
    }
}
