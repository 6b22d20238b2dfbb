package dev.quartermaster.cli.release;

import dev.quartermaster.common.Platform;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;

import java.time.Instant;

/**
 * A pushed wordpress image as the ledger holds it once image-action and image-verify ran: the
 * release tests' way past the functions to the gate they test.
 */
public final class LedgerSeed {
    private LedgerSeed() {}

    /**
     * @param found the version image-verify found inside the digest
     */
    public static void pushed(
            Platform p, String tag, String digest, String found, ImageVerdict verdict) {
        new ImageLedger(LedgerRoot.store(p), p.alerts())
                .record(
                        new ImageAction(
                                "e-" + tag,
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                digest,
                                tag,
                                null,
                                null));
        LedgerRoot.store(p)
                .recordVerification(
                        "wordpress",
                        digest,
                        new ImageRecord.Verification(
                                verdict, "x", found, "test", 0, 0, Instant.now()));
    }
}
