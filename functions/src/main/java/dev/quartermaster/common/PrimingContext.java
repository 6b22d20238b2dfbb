package dev.quartermaster.common;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * The Lambda context a SnapStart priming pass runs under (no invocation is real; nothing is
 * written).
 */
public final class PrimingContext implements Context {
    @Override
    public String getAwsRequestId() {
        return "qm-priming";
    }

    @Override
    public String getLogGroupName() {
        return "qm-priming";
    }

    @Override
    public String getLogStreamName() {
        return "qm-priming";
    }

    @Override
    public String getFunctionName() {
        return "qm-priming";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:qm-priming";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return 60_000;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {}

            @Override
            public void log(byte[] message) {}
        };
    }
}
