package dev.quartermaster.cli.commands;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.app.Wiring;
import dev.quartermaster.archive.ArchiveRoot;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.upkeep.RunFiles;
import dev.quartermaster.upkeep.UpkeepEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * bin/qm archive scrub | reconcile | prune: an upkeep run now. Locally, the job's state machine is
 * interpreted by the local engine ({@link UpkeepEngine}, a stand-in for Step Functions): the same
 * plan, the same batches as the Distributed Map hands out (one after another here), each given to
 * the function's real handler, then the fold. With {@code --aws}, the deployed state machine is
 * started (its schedule's event, now) and its execution's ARN printed.
 */
public final class UpkeepCommands {
    private UpkeepCommands() {}

    @Command(
            name = "scrub",
            description =
                    "The weekly scrub, now: re-hash the archived blobs in batches by bytes, check every image is complete.")
    public static final class Scrub extends Run {
        public Scrub() {
            super(Upkeep.ARCHIVE_SCRUB);
        }
    }

    @Command(
            name = "reconcile",
            description =
                    "The daily reconcile, now: archive what the managed repositories hold and the archive lacks, in batches.")
    public static final class Reconcile extends Run {
        public Reconcile() {
            super(Upkeep.ARCHIVE_RECONCILE);
        }
    }

    @Command(
            name = "prune",
            description =
                    "The weekly prune, now: forget what is past retention, mark in batches, sweep what no mark reached.")
    public static final class Prune extends Run {
        public Prune() {
            super(Upkeep.ARCHIVE_PRUNE);
        }
    }

    abstract static class Run implements Callable<Integer> {
        private final Upkeep job;

        @Mixin Target target = new Target();

        Run(Upkeep job) {
            this.job = job;
        }

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            if (target.aws) {
                return start(json);
            }
            int tolerated = target.configuration().upkeep().toleratedFailurePercentage();
            try (LocalEnvironment local = target.local()) {
                LocalServices ls = LocalServices.create(local, null, System.err, false, true);
                Wiring wiring = ls.wiring;
                String name = job.function().name();
                RequestStreamHandler handler = FunctionCatalog.create(name, wiring);
                RunFiles files = ArchiveRoot.layout(wiring.platform()).runFiles();
                PrintStream progress = json ? System.err : System.out;
                UpkeepEngine engine =
                        new UpkeepEngine(
                                UpkeepMachine.definition(job, 1, tolerated),
                                "local-" + job.jobName(),
                                payload -> call(handler, name, payload),
                                files,
                                listener(progress));
                byte[] event = LocalInvoke.scheduledEvent(Instant.now());
                JsonNode out;
                try {
                    out =
                            engine.run(
                                    EventParser.readTree(event),
                                    "local-" + java.util.UUID.randomUUID(),
                                    Instant.now());
                } catch (UpkeepEngine.Failed e) {
                    System.err.println(
                            "qm archive " + verb() + ": the run failed: " + e.getMessage());
                    return 1;
                }
                if (json) {
                    System.out.println(
                            EventParser.JSON
                                    .writerWithDefaultPrettyPrinter()
                                    .writeValueAsString(out));
                } else {
                    System.out.println(out.path("message").asText());
                }
                return "RECORDED".equals(out.path("status").asText()) ? 0 : 1;
            }
        }

        private String verb() {
            return job.jobName().substring(job.jobName().indexOf('-') + 1);
        }

        private UpkeepEngine.Listener listener(PrintStream out) {
            String tag = "[" + job.jobName() + "] ";
            return new UpkeepEngine.Listener() {
                @Override
                public void state(String name) {
                    if (name.equals("Plan") || name.equals("Fold")) {
                        out.println(tag + name.toLowerCase(java.util.Locale.ROOT));
                    }
                }

                @Override
                public void batch(
                        String map, int index, int total, Duration took, JsonNode output) {
                    out.printf(
                            "%s%s batch %d/%d  %.1f s  %s%n",
                            tag,
                            map,
                            index,
                            total,
                            took.toMillis() / 1000.0,
                            output == null ? "FAILED" : output.path("message").asText());
                }
            };
        }

        private static JsonNode call(RequestStreamHandler handler, String name, JsonNode payload) {
            try {
                JsonNode result =
                        LocalInvoke.call(
                                handler,
                                name,
                                payload.toString()
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                new PrintStream(java.io.OutputStream.nullOutputStream()));
                if ("REJECTED".equals(result.path("status").asText())) {
                    throw new IllegalStateException(
                            name + " rejected the step: " + result.path("message").asText());
                }
                return result;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Starts the deployed state machine with the event its schedule would send, and prints the
         * execution.
         */
        private int start(boolean json) throws Exception {
            Map<String, String> env = target.awsSettings();
            var clients = new dev.quartermaster.common.AwsClients(Settings.of(env));
            String region = clients.region().id();
            String account;
            try (var sts =
                    clients.configure(
                                    software.amazon.awssdk.services.sts.StsClient.builder(), "STS")
                            .build()) {
                account = sts.getCallerIdentity().account();
            }
            String partition = region != null && region.startsWith("cn-") ? "aws-cn" : "aws";
            String arn =
                    "arn:"
                            + partition
                            + ":states:"
                            + region
                            + ":"
                            + account
                            + ":stateMachine:"
                            + target.stackName()
                            + "-"
                            + job.jobName();
            byte[] event = LocalInvoke.scheduledEvent(Instant.now());
            String input =
                    new String(event, java.nio.charset.StandardCharsets.UTF_8)
                            .replace(
                                    "\"account\":\"000000000000\"",
                                    "\"account\":\"" + account + "\"")
                            .replace("\"region\":\"us-east-1\"", "\"region\":\"" + region + "\"");
            try (var sfn =
                    clients.configure(
                                    software.amazon.awssdk.services.sfn.SfnClient.builder(), "SFN")
                            .build()) {
                var started =
                        sfn.startExecution(
                                b ->
                                        b.stateMachineArn(arn)
                                                .name("qm-" + System.currentTimeMillis())
                                                .input(input));
                if (json) {
                    System.out.println("{\"executionArn\": \"" + started.executionArn() + "\"}");
                } else {
                    System.out.println(
                            "started "
                                    + started.executionArn()
                                    + "\n  follow it: aws stepfunctions describe-execution --execution-arn "
                                    + started.executionArn()
                                    + "\n  a failed run: aws stepfunctions redrive-execution --execution-arn "
                                    + started.executionArn());
                }
            }
            return 0;
        }
    }
}
