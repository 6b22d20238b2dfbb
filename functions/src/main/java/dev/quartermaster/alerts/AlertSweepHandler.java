package dev.quartermaster.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.GroupedAlerts;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.CloudWatchAlarmStateChange;
import dev.quartermaster.events.ScheduledEvent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * {@code alert-sweep}: every five minutes, settles the alert log's windows that ended: a group's
 * repeats are summarised once ("N more since ..."), a flood once (how many, the first few), and a
 * first alert nobody delivered (the topic refused, a function crashed) is delivered. See {@link
 * GroupedAlerts}. It also logs the stack's CloudWatch alarms as they go to ALARM (their own action
 * already told the topic): every alert, whatever raised it, is in the log.
 */
public final class AlertSweepHandler extends EventFunction {
    private final IntSupplier sweep;
    private final Consumer<Alert> delivered;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public AlertSweepHandler() {
        this(Platform.fromEnvironment());
    }

    public AlertSweepHandler(Platform platform) {
        this(platform::sweepAlerts, platform::logDelivered);
        wiredTo(platform);
    }

    /**
     * @param sweep settles what is due and returns how many alerts it published
     * @param delivered logs an alert another sender delivered
     */
    public AlertSweepHandler(IntSupplier sweep, Consumer<Alert> delivered) {
        this.sweep = sweep;
        this.delivered = delivered;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): the schedule's event: the
     * due alerts read, their publication and marks answered by the guard, never sent.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("scheduled-backup.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        if (CloudWatchAlarmStateChange.DETAIL_TYPE.equals(json.path("detail-type").asText())) {
            return alarm(CloudWatchAlarmStateChange.parse(json));
        }
        ScheduledEvent.parse(json);
        int sent = sweep.getAsInt();
        return sent == 0
                ? Outcome.ignored("nothing due")
                : Outcome.recorded(sent + " alert(s) published", Map.of("published", sent));
    }

    private Outcome alarm(CloudWatchAlarmStateChange a) {
        if (!a.state().equals("ALARM")) {
            return Outcome.ignored(
                    a.alarmName() + " went to " + a.state() + ": only ALARM is an alert");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("subject", a.alarmName());
        attrs.put("alarm", a.alarmName());
        attrs.put("state", a.state());
        attrs.put(GroupedAlerts.DELIVERED_BY, "its CloudWatch alarm action");
        delivered.accept(
                new Alert(
                        "ALARM",
                        "ALARM: " + a.alarmName(),
                        (a.description() == null ? "" : a.description() + "\n\n")
                                + (a.reason() == null ? "" : a.reason())
                                + (a.previousState() == null
                                        ? ""
                                        : " (was " + a.previousState() + ")"),
                        attrs,
                        "bin/qm status --aws"));
        return Outcome.recorded(
                "logged " + a.alarmName() + " going to ALARM at " + a.at(),
                Map.of("alarm", a.alarmName()));
    }
}
