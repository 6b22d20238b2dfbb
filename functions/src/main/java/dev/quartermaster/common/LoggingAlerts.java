package dev.quartermaster.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** Used when no topic is configured: the alert still lands in the structured log. */
public final class LoggingAlerts implements Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingAlerts.class);

    @Override
    public void publish(Alert alert) {
        if (Priming.inProgress()) {
            return; // a primer's event never happened: this log is where a person reads alerts
        }
        LOG.warn("ALERT {}: {}", alert.kind(), alert.subject(), entry("alert", alert));
    }
}
