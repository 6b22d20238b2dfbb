package dev.quartermaster.cli.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Runs in a fresh JVM with only the shaded function jar (and this class) on the class path, the way
 * the Lambda runtime does: load the handler class, construct it (clients built), handle one event.
 * Depends on nothing but aws-lambda-java-core, which the function jar carries, and the stand-in
 * CRaC API in {@code dev.quartermaster.cli.crac} (SnapStart's checkpoint hooks).
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        RequestStreamHandler handler =
                (RequestStreamHandler)
                        Class.forName(args[0]).getDeclaredConstructor().newInstance();
        String hooks = "";
        if ("snap-start".equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE"))) {
            // what Lambda does after init when it publishes a SnapStart version: run every
            // checkpoint hook (Powertools'
            // and any priming hook, registered through org.crac with
            // -Dorg.crac.Core.Compat=dev.quartermaster.cli.crac),
            // snapshot, then the restore hooks; a hook that fails fails the probe
            hooks = " hooks=" + dev.quartermaster.cli.crac.Core.registered();
            dev.quartermaster.cli.crac.Core.checkpointRestore();
        }
        // the harness's own context, built before the clock starts: the first event measures the
        // function, not this class's loading
        Context first = new ProbeContext();
        first.getRemainingTimeInMillis();
        // a marker for traces (QM_PROBE_JAVA_OPTS=-Xlog:class+load), printed before the clock: the
        // harness's own output is not the function's first event
        System.err.println("QM_INVOKING");
        long initEnd = System.nanoTime();
        long gap = gapMillis("QM_PROBE_GAP_MS", 0);
        // a diagnostic knob: the first event's own gap (QM_PROBE_FIRST_GAP_MS=0, the restore then
        // the event at once), the warm ones keep theirs
        Thread.sleep(gapMillis("QM_PROBE_FIRST_GAP_MS", gap));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t1 = System.nanoTime();
        try (InputStream in = new FileInputStream(args[1])) {
            handler.handleRequest(in, out, first);
        }
        long t2 = System.nanoTime();
        System.err.println("result " + out);
        // then the same kind of event again, warm (each its own file: a fresh id, and a digest of
        // its own where that matters)
        StringBuilder warm = new StringBuilder();
        for (int i = 2; i < args.length; i++) {
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            Thread.sleep(gap);
            long w0 = System.nanoTime();
            try (InputStream in = new FileInputStream(args[i])) {
                handler.handleRequest(in, again, new ProbeContext());
            }
            warm.append(warm.length() == 0 ? "" : ",").append((System.nanoTime() - w0) / 1_000);
            System.err.println("warm " + again);
        }
        // init: what SnapStart snapshots; invoke: what the first event still pays after a restore;
        // warm: the same kind of event after it
        System.err.println(
                "QM_PROBE init-ms="
                        + (initEnd - t0) / 1_000_000
                        + " invoke-ms="
                        + (t2 - t1) / 1_000_000
                        + " invoke-us="
                        + (t2 - t1) / 1_000
                        + (warm.length() == 0 ? "" : " warm-us=" + warm)
                        + hooks);
    }

    /**
     * How long the process idles before each event, the first and the warm ones alike
     * (QM_PROBE_GAP_MS, default none): events reach a function apart, not back to back, and an
     * event after an idle spell runs on cold CPU caches whether or not it is the first.
     */
    private static long gapMillis(String variable, long otherwise) {
        String ms = System.getenv(variable);
        return ms == null || ms.isBlank() ? otherwise : Long.parseLong(ms.strip());
    }

    /** The baseline: a handler that does nothing. */
    public static final class EmptyHandler implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context)
                throws java.io.IOException {
            input.readAllBytes();
            output.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static final class ProbeContext implements Context {
        @Override
        public String getAwsRequestId() {
            return "probe";
        }

        @Override
        public String getLogGroupName() {
            return "probe";
        }

        @Override
        public String getLogStreamName() {
            return "probe";
        }

        @Override
        public String getFunctionName() {
            return "probe";
        }

        @Override
        public String getFunctionVersion() {
            return "1";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:000000000000:function:probe";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        // the function's own timeout when the bench says it (QM_PROBE_TIMEOUT_MS): the archive
        // plans its copy by it
        @Override
        public int getRemainingTimeInMillis() {
            String ms = System.getenv("QM_PROBE_TIMEOUT_MS");
            return ms == null ? 30000 : Integer.parseInt(ms);
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.err.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.err.print(new String(message));
                }
            };
        }
    }
}
