package dev.quartermaster.cli.iam;

import java.util.ArrayList;
import java.util.List;

/** Every AWS call the SDK's recording interceptor saw in this JVM, until drained. */
public final class CallLog {
    private static final List<AwsCall> CALLS = new ArrayList<>();

    private CallLog() {}

    static synchronized void add(List<AwsCall> calls) {
        CALLS.addAll(calls);
    }

    public static synchronized List<AwsCall> drain() {
        List<AwsCall> out = List.copyOf(CALLS);
        CALLS.clear();
        return out;
    }
}
