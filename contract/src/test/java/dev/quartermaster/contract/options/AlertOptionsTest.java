package dev.quartermaster.contract.options;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertOptionsTest {
    private static final String TEAM = "74361522-da01-438d-aa2e-ac7918c6bb92";
    private static final String TENANT = "9c2e9d84-1c1a-4f59-9d0e-0f1b2c3d4e5f";

    private static String teams(String channel) {
        return "{\"teamId\":\""
                + TEAM
                + "\",\"teamsChannelId\":\""
                + channel
                + "\",\"teamsTenantId\":\""
                + TENANT
                + "\"}";
    }

    @Test
    void aTeamsChannel_asItsLinkEncodesIt_isRead() {
        // the example channel id of the CloudFormation reference
        // (AWS::Chatbot::MicrosoftTeamsChannelConfiguration)
        AlertOptions a =
                Configuration.read(
                                OptionSource.of(
                                        Map.of(
                                                "alertChat",
                                                teams(
                                                        "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2"))))
                        .operations()
                        .alerts();
        assertThat(a.chat()).isNotNull();
        assertThat(a.chat().slack()).isFalse();
    }

    @Test
    void aTeamsChannelIdLongerThanChatbotTakes_isRefused() {
        // the Chatbot API model's TeamsChannelId: 1..255 characters
        String tooLong = "19%3a" + "a".repeat(240) + "%40thread.tacv2";
        assertThatThrownBy(
                        () ->
                                Configuration.read(
                                        OptionSource.of(Map.of("alertChat", teams(tooLong)))))
                .hasMessageContaining("teamsChannelId");
    }

    @Test
    void aStackNameTooLongForTheNamesBuiltFromIt_isRefused() {
        assertThatThrownBy(
                        () ->
                                Configuration.read(
                                        OptionSource.of(Map.of("stackName", "Q".repeat(60)))))
                .hasMessageContaining("stackName");
        assertThatThrownBy(
                        () -> Configuration.read(OptionSource.of(Map.of("stackName", "my stack"))))
                .hasMessageContaining("stackName");
        assertThat(Configuration.read(OptionSource.of(Map.of("stackName", "Q".repeat(59)))).app())
                .isNotNull();
    }
}
