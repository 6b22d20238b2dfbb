package dev.quartermaster.events;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import org.junit.jupiter.params.ParameterizedTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample events in events/ have the shapes AWS's own Java library reads: aws-lambda-java-tests
 * loads them into aws-lambda-java-events types.
 */
class SampleEventsTest {

    @ParameterizedTest
    @Event(value = "events/scheduled-backup.json", type = ScheduledEvent.class)
    void scheduledEvent_hasTheEnvelopeEventBridgeSends(ScheduledEvent event) {
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getResources()).singleElement().asString().startsWith("arn:aws:events:");
        assertThat(event.getTime()).isNotNull();
    }

    @ParameterizedTest
    @Event(value = "events/image-action-push.json", type = ScheduledEvent.class)
    void ecrEvent_readsAsAGenericEventBridgeEnvelope(ScheduledEvent event) {
        assertThat(event.getSource()).isEqualTo("aws.ecr");
        assertThat(event.getDetailType()).isEqualTo("ECR Image Action");
        assertThat(event.getDetail())
                .containsEntry("repository-name", "wordpress")
                .containsEntry("action-type", "PUSH");
    }

    @ParameterizedTest
    @Event(value = "events/image-action-archived.json", type = ScheduledEvent.class)
    void ecrArchiveEvent_isAnImageActionWithATargetStorageClassAndNoTag(ScheduledEvent event) {
        assertThat(event.getSource()).isEqualTo("aws.ecr");
        assertThat(event.getDetailType()).isEqualTo("ECR Image Action");
        assertThat(event.getDetail())
                .containsEntry("action-type", "UPDATE_STORAGE_CLASS")
                .containsEntry("target-storage-class", "ARCHIVE")
                .containsKey("image-digest")
                .doesNotContainKey("image-tag");
    }

    @ParameterizedTest
    @Event(value = "events/image-action-restored.json", type = ScheduledEvent.class)
    void ecrRestoreEvent_isAnImageActionBackToStandard(ScheduledEvent event) {
        assertThat(event.getDetailType()).isEqualTo("ECR Image Action");
        assertThat(event.getDetail())
                .containsEntry("action-type", "UPDATE_STORAGE_CLASS")
                .containsEntry("target-storage-class", "STANDARD")
                .containsKey("last-activated-at")
                .doesNotContainKey("image-tag");
    }

    @ParameterizedTest
    @Event(value = "events/ssm-command-success.json", type = ScheduledEvent.class)
    void ssmEvent_carriesCommandIdAndStatus(ScheduledEvent event) {
        assertThat(event.getSource()).isEqualTo("aws.ssm");
        assertThat(event.getDetail())
                .containsKeys("command-id", "document-name", "instance-id", "status");
    }
}
