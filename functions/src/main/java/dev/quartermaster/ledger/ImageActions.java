package dev.quartermaster.ledger;

import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;

import java.util.Locale;

/** Turns a parsed ECR Image Action event into a validated {@link ImageAction}. */
public final class ImageActions {
    private ImageActions() {}

    public static ImageAction from(AwsEvent<EcrImageAction> event) {
        EcrImageAction d = event.detail();
        ImageAction.Kind kind = kind(d.actionType());
        boolean success = success(d.result());
        String repo = Validation.repository(d.repositoryName());
        String tag = Validation.optionalTag(d.imageTag());
        // a failed action may carry no digest; a successful one always does
        String digest =
                success || (d.imageDigest() != null && !d.imageDigest().isEmpty())
                        ? Validation.digest(d.imageDigest())
                        : null;
        StorageClass target =
                kind == ImageAction.Kind.UPDATE_STORAGE_CLASS
                        ? storageClass(d.targetStorageClass())
                        : null;
        return new ImageAction(
                event.id(),
                event.time(),
                kind,
                success,
                repo,
                digest,
                tag,
                emptyToNull(d.manifestMediaType()),
                emptyToNull(d.artifactMediaType()),
                target);
    }

    private static StorageClass storageClass(String name) {
        return StorageClass.of(name)
                .orElseThrow(
                        () ->
                                new MalformedEventException(
                                        "an UPDATE_STORAGE_CLASS action needs target-storage-class "
                                                + "ARCHIVE or STANDARD, not '"
                                                + (name == null ? "" : Validation.abbreviate(name))
                                                + "'"));
    }

    private static ImageAction.Kind kind(String actionType) {
        if (actionType == null) {
            throw new MalformedEventException(
                    "detail has no action-type (PUSH, DELETE or UPDATE_STORAGE_CLASS)");
        }
        try {
            return ImageAction.Kind.valueOf(actionType.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(
                    "action-type '"
                            + Validation.abbreviate(actionType)
                            + "' is not PUSH, DELETE or UPDATE_STORAGE_CLASS");
        }
    }

    private static boolean success(String result) {
        if ("SUCCESS".equals(result)) {
            return true;
        }
        if ("FAILURE".equals(result)) {
            return false;
        }
        throw new MalformedEventException(
                "result '"
                        + (result == null ? "" : Validation.abbreviate(result))
                        + "' is neither SUCCESS nor FAILURE");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
