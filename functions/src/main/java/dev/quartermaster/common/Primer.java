package dev.quartermaster.common;

import java.util.function.Consumer;

/**
 * A function's own SnapStart priming: what its before-checkpoint hook runs after the constructor
 * (see {@link Priming}), so the snapshot holds the path its first event takes. A primer only reads:
 * it hands the function events that take a read-only path (a command nobody sent, a document that
 * is not this function's), never one that would write, send a command or alert. {@code
 * PrimingReadOnlyTest} runs every function's primer against a recording twin of every AWS API and
 * of the registry that fails on any write.
 */
@FunctionalInterface
public interface Primer {
    /** Nothing beyond the path every function shares ({@link Priming#commonPath}). */
    Primer NONE = handle -> {};

    /**
     * @param handle runs the function's whole path on one event (parse, origin check, the handler,
     *     the outcome's JSON, its log line); what it answers or throws is ignored, and no metric is
     *     emitted while it runs
     */
    void prime(Consumer<String> handle);
}
