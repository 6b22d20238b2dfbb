package dev.quartermaster.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code alert-sweep}: every five minutes, settles the alert log's windows that ended: a group's repeats are summarised
 * once ("N more since ..."), a flood once (how many, the first few), and a first alert nobody delivered (the topic refused,
 * a function crashed) is delivered. See {@link dev.quartermaster.common.GroupedAlerts}.
 */
public final class AlertSweepHandler extends EventFunction {
    private final IntSupplier sweep;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public AlertSweepHandler() {
        this(Platform.fromEnvironment());
    }

    private AlertSweepHandler(Platform platform) {
        this(platform::sweepAlerts);
        acceptingOnly(platform.origin());
    }

    /** @param sweep settles what is due and returns how many alerts it published */
    public AlertSweepHandler(IntSupplier sweep) {
        this.sweep = sweep;
    }

    @Override
    protected Outcome handle(JsonNode json) {
        ScheduledEvent.parse(json);
        int sent = sweep.getAsInt();
        return sent == 0 ? Outcome.ignored("nothing due") : Outcome.recorded(sent + " alert(s) published", Map.of("published", sent));
    }
}
