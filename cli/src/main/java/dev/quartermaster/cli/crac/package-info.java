/**
 * A stand-in for a CRaC JVM's {@code jdk.crac} API, so that {@code bin/qm bench coldstart} can take
 * a SnapStart-like checkpoint without a CRaC JVM: the probe JVM starts with {@code
 * -Dorg.crac.Core.Compat=dev.quartermaster.cli.crac}, which makes the org.crac library (used by
 * Powertools and any priming hook) register its resources here; {@link
 * dev.quartermaster.cli.crac.Core#checkpointRestore()} then runs every registered hook as Lambda
 * does when it snapshots (before-checkpoint in reverse order of registration) and restores
 * (after-restore in order). A hook that throws fails the probe, as it would fail the function's
 * publication.
 */
package dev.quartermaster.cli.crac;
