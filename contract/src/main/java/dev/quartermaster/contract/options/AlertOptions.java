package dev.quartermaster.contract.options;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The alert log and where alerts reach people: how long the log keeps an alert, the grouping
 * window, how many distinct subjects of one kind go out one by one in a window, the e-mail
 * addresses subscribed to the topic ({@code alertEmails}, and the older single {@code alertEmail}),
 * and the chat channel AWS Chatbot posts to (null: none).
 */
public record AlertOptions(
        int retentionDays, int groupMinutes, int floodThreshold, List<String> emails, Chat chat) {

    /**
     * A Slack channel ({@code slackWorkspaceId}, {@code slackChannelId}) or a Microsoft Teams
     * channel (team, channel, tenant).
     */
    public record Chat(
            String slackWorkspaceId,
            String slackChannelId,
            String teamId,
            String teamsChannelId,
            String teamsTenantId) {
        public boolean slack() {
            return slackWorkspaceId != null;
        }
    }

    static final Pattern SLACK_WORKSPACE = Pattern.compile("[0-9A-Z]{1,255}");
    static final Pattern SLACK_CHANNEL = Pattern.compile("[A-Za-z0-9]{1,255}");
    static final Pattern UUID =
            Pattern.compile("[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}");

    /**
     * AWS Chatbot's TeamsChannelConfiguration.ChannelId: the channel id from the Teams link,
     * URL-encoded (19%3a...%40thread.tacv2).
     */
    static final Pattern TEAMS_CHANNEL =
            Pattern.compile("[a-zA-Z0-9-_=+/.,]*%3[aA][a-zA-Z0-9-_=+/.,]*%40[a-zA-Z0-9-_=+/.,]*");

    static AlertOptions read(OptionSource s, Problems problems) {
        List<String> emails = new ArrayList<>(Options.ALERT_EMAILS.read(s, problems));
        String legacy =
                Options.ALERT_EMAIL.read(
                        s, problems); // the single address of earlier configurations, subscribed as
        // well
        if (legacy != null && !legacy.isEmpty() && !emails.contains(legacy)) {
            emails.add(legacy);
        }
        return new AlertOptions(
                Options.ALERT_RETENTION_DAYS.read(s, problems),
                Options.ALERT_GROUP_MINUTES.read(s, problems),
                Options.ALERT_FLOOD_THRESHOLD.read(s, problems),
                List.copyOf(emails),
                chat(Options.ALERT_CHAT.read(s, problems), problems));
    }

    private static Chat chat(String given, Problems problems) {
        String key = Options.ALERT_CHAT.key();
        if (given == null
                || given.replace(" ", "").isEmpty()
                || given.replace(" ", "").equals("{}")) {
            return null;
        }
        JsonNode c;
        try {
            c = Option.JSON.readTree(given);
        } catch (java.io.IOException e) {
            c = null;
        }
        if (c == null || !c.isObject()) {
            problems.add(
                    key
                            + ": must be a JSON object, e.g. -c '"
                            + key
                            + "={\"slackWorkspaceId\":\"T07ABCDE12\",\"slackChannelId\":\"C07ABCDE12\"}'");
            return null;
        }
        String ws = c.path("slackWorkspaceId").asText(null);
        String channel = c.path("slackChannelId").asText(null);
        String team = c.path("teamId").asText(null);
        String teamsChannel = c.path("teamsChannelId").asText(null);
        String tenant = c.path("teamsTenantId").asText(null);
        boolean slack = ws != null || channel != null;
        boolean teams = team != null || teamsChannel != null || tenant != null;
        if (slack == teams) {
            problems.add(
                    key
                            + ": name one channel, Slack {\"slackWorkspaceId\":\"T…\",\"slackChannelId\":\"C…\"} or Microsoft Teams"
                            + " {\"teamId\",\"teamsChannelId\",\"teamsTenantId\"} (the ids the AWS Chatbot console shows after you authorize the workspace or team)");
        } else if (slack
                && (ws == null
                        || channel == null
                        || !SLACK_WORKSPACE.matcher(ws).matches()
                        || !SLACK_CHANNEL.matcher(channel).matches())) {
            problems.add(
                    key
                            + ": slackWorkspaceId (uppercase letters and digits, e.g. T07ABCDE12) and slackChannelId (letters and digits,"
                            + " e.g. C07ABCDE12: the end of the channel's link) are both needed");
        } else if (teams
                && (team == null
                        || tenant == null
                        || teamsChannel == null
                        || !UUID.matcher(team).matches()
                        || !UUID.matcher(tenant).matches()
                        || teamsChannel.length()
                                > 255 // the Chatbot API model's TeamsChannelId: at most 255
                        || !TEAMS_CHANNEL.matcher(teamsChannel).matches())) {
            problems.add(
                    key
                            + ": teamId and teamsTenantId are UUIDs, teamsChannelId the channel's id URL-encoded as in its link"
                            + " (19%3a…%40thread.tacv2); all three are needed");
        } else {
            return new Chat(ws, channel, team, teamsChannel, tenant);
        }
        return null;
    }
}
