package dev.quartermaster.cli.ops;

import dev.quartermaster.contract.Host;
import dev.quartermaster.host.CommandRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hosts check's reading of the hosts' results: a line per host and check, and a failed line for
 * every host that gave none, so nothing drops out of the table.
 */
class HostsChecksTest {
    static final String WEB1 =
            "QM-CHECK dns:api.ecr.us-east-1.amazonaws.com ok 10.0.1.12 (private)\n"
                    + "QM-CHECK ecr-login ok a registry token for 1.dkr.ecr.us-east-1.amazonaws.com\n"
                    + "QM-CHECK manifest skipped no digest to read\n"
                    + "QM-HOSTS-CHECK {\"ok\":2,\"failed\":0,\"skipped\":1,\"expectPrivate\":true}\n";

    /** SSM as the runner sees it: each host's output appears after a number of reads. */
    static final class Ssm implements CommandRunner {
        final Map<String, String> outputs = new HashMap<>();
        final Map<String, Integer> readsUntilDone = new HashMap<>();
        final List<Map<String, String>> sent = new ArrayList<>();

        @Override
        public String send(
                String document, Map<String, String> parameters, Host host, String comment) {
            if (host.name().equals("gone")) {
                throw new TargetException("no SSM-managed instance carries the tag qm:host=gone");
            }
            sent.add(parameters);
            return "cmd-" + host.name();
        }

        @Override
        public Optional<String> output(String commandId) {
            int left = readsUntilDone.merge(commandId, -1, Integer::sum);
            return left > 0 ? Optional.of("") : Optional.ofNullable(outputs.get(commandId));
        }
    }

    static Host host(String name) {
        return new Host(name, "qm:host", name, java.util.Set.of(Host.Role.APP));
    }

    @Test
    void everyHost_aLinePerCheck_waitingForResultsThatComeLate() throws Exception {
        Ssm ssm = new Ssm();
        ssm.outputs.put("cmd-web1", WEB1);
        ssm.readsUntilDone.put("cmd-web1", 3);
        ssm.outputs.put(
                "cmd-web2",
                "QM-CHECK dns:api.ecr.us-east-1.amazonaws.com failed 52.1.2.3 (public): a private address was expected\n"
                        + "QM-HOSTS-CHECK {\"ok\":0,\"failed\":1,\"skipped\":0,\"expectPrivate\":true}\n");
        List<Duration> pauses = new ArrayList<>();
        List<HostsChecks.Line> lines =
                HostsChecks.run(
                        ssm,
                        "QuartermasterHostsCheck",
                        List.of(host("web1"), host("web2")),
                        null,
                        Duration.ofSeconds(60),
                        pauses::add);
        assertThat(lines)
                .extracting(l -> l.host() + " " + l.check() + " " + l.status())
                .containsExactly(
                        "web1 dns:api.ecr.us-east-1.amazonaws.com ok",
                        "web1 ecr-login ok",
                        "web1 manifest skipped",
                        "web2 dns:api.ecr.us-east-1.amazonaws.com failed");
        assertThat(pauses).hasSize(2);
        assertThat(ssm.sent).allSatisfy(p -> assertThat(p).isEmpty()); // no digest passed
    }

    @Test
    void aHostNotReached_orWithoutAResult_isAFailedLineOfItsOwn() throws Exception {
        Ssm ssm = new Ssm();
        ssm.outputs.put(
                "cmd-web1", "qm-hosts-check: image repository must be registry/repository\n");
        List<HostsChecks.Line> lines =
                HostsChecks.run(
                        ssm,
                        "QuartermasterHostsCheck",
                        List.of(host("web1"), host("gone")),
                        "sha256:" + "a".repeat(64),
                        Duration.ZERO,
                        d -> {});
        assertThat(lines)
                .extracting(l -> l.host() + " " + l.check() + " " + l.status())
                .containsExactlyInAnyOrder("gone send failed", "web1 document failed");
        assertThat(lines)
                .filteredOn(l -> l.host().equals("web1"))
                .singleElement()
                .extracting(HostsChecks.Line::detail)
                .asString()
                .contains("image repository must be");
        assertThat(ssm.sent)
                .singleElement()
                .isEqualTo(Map.of("digest", "sha256:" + "a".repeat(64)));
    }

    @Test
    void aHostileStatusWord_countsAsFailed_andControlCharactersDoNotReachTheTerminal() {
        List<HostsChecks.Line> lines =
                HostsChecks.parse(
                        "web1", "c", "QM-CHECK dns:x fine \u001b[2Jcleared\nQM-HOSTS-CHECK {}\n");
        assertThat(lines).singleElement().extracting(HostsChecks.Line::status).isEqualTo("failed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HostsChecks.print(lines, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .doesNotContain("\u001b")
                .contains("1 check(s) failed");
    }
}
