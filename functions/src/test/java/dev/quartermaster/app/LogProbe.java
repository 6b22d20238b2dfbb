package dev.quartermaster.app;

/**
 * Run by {@link FunctionJarsIT} in a fresh JVM with a function jar first on the class path: logs
 * one line through SLF4J, as a handler does, so the test sees what the jar's Log4j configuration
 * makes of it.
 */
public final class LogProbe {
    private LogProbe() {}

    public static void main(String[] args) {
        org.slf4j.LoggerFactory.getLogger(LogProbe.class).warn("qm-log-probe");
    }
}
