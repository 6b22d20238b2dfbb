package dev.quartermaster.cli.release;

import dev.quartermaster.cli.Qm;
import dev.quartermaster.release.DatabaseReturn;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.RollRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/qm release's rolling options, refused before anything is opened; the roll's line. */
class ReleaseCommandsTest {
    static final String OLD = "sha256:" + "a".repeat(64);
    static final String NEW = "sha256:" + "b".repeat(64);

    private static String run(int expected, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Qm.execute(args)).isEqualTo(expected);
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rollingOptions_areCheckedBeforeAnythingIsOpened() {
        assertThat(run(2, "release", "wordpress:wp-6.5-v2", "--on-failure", "sideways"))
                .contains("--on-failure is rollback or stop, not sideways");
        assertThat(run(2, "release", "wordpress:wp-6.5-v2", "--batch", "0"))
                .contains("--batch must be at least 1");
        assertThat(run(2, "release", "wordpress:wp-6.5-v2", "--resume"))
                .contains("--resume continues the recorded roll: name no reference");
        assertThat(run(2, "release")).contains("name REPO:TAG or REPO@sha256:<hex> (or --resume)");
        assertThat(run(2, "release", "--resume", "--force"))
                .contains("--force needs --reason TEXT");
    }

    @Test
    void rollbackOptions_thatContradictEachOther_areRefusedBeforeAnythingIsOpened() {
        assertThat(run(2, "rollback", "--with-database", "--keep-database"))
                .contains("--with-database and --keep-database exclude each other");
        assertThat(run(2, "rollback", "--with-database", "--no-restore-point"))
                .contains("it cannot go with --no-restore-point");
        assertThat(run(2, "rollback", "--force")).contains("--force needs --reason TEXT");
        assertThat(run(2, "rollback", "--force", "--reason", " "))
                .contains("--force needs --reason TEXT");
        // the force check comes first, then the database pair: each names only its own mistake
        assertThat(run(2, "rollback", "--force", "--with-database", "--keep-database"))
                .contains("--force needs --reason TEXT")
                .doesNotContain("exclude each other");
    }

    @Test
    void anUnfinishedRollsReturn_keepsTheDatabaseWhenAskedTo_elseTheSchemaDecides() {
        List<String> asked = new java.util.ArrayList<>();
        DatabaseReturn automatic =
                key -> {
                    asked.add(key);
                    return "restored " + key;
                };

        DatabaseReturn kept = ReleaseCommands.Rollback.unfinishedRollReturn(automatic, true);
        assertThat(kept.afterRollback("backups/wordpress/rp.sql.zst"))
                .contains("database kept as it is (--keep-database)")
                .contains("backups/wordpress/rp.sql.zst")
                .contains("nothing restored");
        assertThat(kept.afterRollback(null)).contains("restore point none");
        assertThat(asked).isEmpty(); // the schema-aware return (which may restore) never ran

        assertThat(ReleaseCommands.Rollback.unfinishedRollReturn(automatic, false))
                .isSameAs(automatic);
    }

    @Test
    void rollLine_saysWhichHostRunsWhat_andHowToFinishIt() {
        RollRecord stopped =
                new RollRecord(
                        "wordpress",
                        "roll-1",
                        ReleaseRecord.Kind.RELEASE,
                        "wordpress",
                        "wp-6.5-v2",
                        NEW,
                        "6.5.0",
                        "alice",
                        Instant.parse("2026-12-07T10:00:00Z"),
                        "backups/wordpress/rp.sql.zst",
                        null,
                        1,
                        RollRecord.OnFailure.STOP,
                        List.of(
                                RollRecord.HostStep.pending("web1", NEW, OLD, "6.4.3")
                                        .sent("cmd-1")
                                        .with(RollRecord.HostState.SWITCHED, NEW, "released"),
                                RollRecord.HostStep.pending("web2", NEW, OLD, "6.4.3")
                                        .sent("cmd-2")
                                        .with(RollRecord.HostState.FAILED, OLD, "ROLLED_BACK")),
                        RollRecord.Status.STOPPED,
                        "web2 failed at step prove: health answered 500",
                        null,
                        null,
                        Instant.parse("2026-12-07T10:05:00Z"));

        String line = ReleaseCommands.rollLine(stopped);

        assertThat(line)
                .contains("newest roll roll-1 (wordpress:wp-6.5-v2, by alice")
                .contains("STOPPED; web1 switched; web2 failed")
                .contains("mixed: web1 runs sha256:bbbbbbbbbbbb, web2 runs sha256:aaaaaaaaaaaa")
                .contains("web2 failed at step prove: health answered 500")
                .contains(
                        "bin/qm release --resume continues it, bin/qm rollback returns every host");
        RollRecord done =
                stopped.withHost(
                                stopped.host("web2")
                                        .orElseThrow()
                                        .with(RollRecord.HostState.SWITCHED, NEW, "released"))
                        .ended(RollRecord.Status.DONE, null, null, Instant.now());
        assertThat(ReleaseCommands.rollLine(done))
                .doesNotContain("mixed")
                .doesNotContain("unfinished");
    }
}
