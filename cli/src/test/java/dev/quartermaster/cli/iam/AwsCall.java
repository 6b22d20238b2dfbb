package dev.quartermaster.cli.iam;

import java.util.Map;

/**
 * One request to AWS as IAM sees it: who asked (the access key a test gave the function or the
 * host), the action IAM authorises and the resource ARN, the condition keys the request carries,
 * and where it came from.
 *
 * @param principal the role's name in the tier: a catalogue function name, or {@code host}
 * @param context condition keys of the request (e.g. {@code s3:prefix})
 * @param origin the operation that made it, for the report (e.g. {@code S3.HeadObject -> 404})
 */
public record AwsCall(
        String principal,
        String action,
        String resource,
        Map<String, String> context,
        String origin) {}
