package dev.quartermaster.ledger;

import java.time.Instant;
import java.util.List;

/**
 * Which digests the app hosts run now (the last good release on each): what a new finding is
 * checked against.
 */
public interface RunningImages {
    record Running(String host, String repository, String digest, String tag, Instant since) {}

    List<Running> running();

    static RunningImages none() {
        return List::of;
    }
}
