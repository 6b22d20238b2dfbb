package dev.quartermaster.cli.iam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host's AWS CLI calls, recorded: a shim named {@code aws} first on the host scripts' PATH runs
 * the real CLI and appends its exit code and arguments to a log, which {@link #calls()} reads as
 * the IAM actions the instance role needs. A call this class cannot map is reported as its own
 * action ({@code aws-cli:...}), so a new kind of call in a script fails the tier until it is mapped
 * here.
 */
public final class HostCli {
    public static final String PRINCIPAL = "host";
    private static final char SEP = '\u001f';
    private final Path dir;
    private final Path log;

    private HostCli(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("calls.log");
    }

    public static HostCli create(Path dir, String realAws) {
        try {
            Files.createDirectories(dir);
            Path shim = dir.resolve("aws");
            // one record, one write: the scripts run several aws processes at once (a pipeline and
            // its checks), and
            // records written piece by piece interleave in the log; a newline inside an argument is
            // written as \\n
            Files.writeString(
                    shim,
                    "#!/usr/bin/env bash\n\""
                            + realAws
                            + "\" \"$@\"; rc=$?\n"
                            + "line=\"$rc\"; for a in \"$@\"; do line+=$'\\037'\"${a//$'\\n'/\\\\n}\"; done\n"
                            + "printf '%s\\n' \"$line\" >> '"
                            + dir.resolve("calls.log")
                            + "'\n"
                            + "exit $rc\n");
            Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new HostCli(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PATH the host scripts run with: the shim first. */
    public Map<String, String> environment() {
        return Map.of("PATH", dir + ":" + System.getenv("PATH"));
    }

    public List<AwsCall> calls() {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            List<AwsCall> out = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                List<String> parts = List.of(line.split(String.valueOf(SEP), -1));
                out.addAll(map(Integer.parseInt(parts.get(0)), parts.subList(1, parts.size())));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<AwsCall> map(int rc, List<String> args) {
        String origin =
                "aws "
                        + String.join(" ", args.subList(0, Math.min(2, args.size())))
                        + " -> exit "
                        + rc;
        String command =
                args.size() >= 2 ? args.get(0) + " " + args.get(1) : String.join(" ", args);
        List<AwsCall> out = new ArrayList<>();
        switch (command) {
            case "s3 cp" -> {
                String src = args.get(2);
                String dst = args.get(3);
                if (dst.startsWith("s3://")) {
                    out.add(call("s3:PutObject", object(dst), origin));
                }
                if (src.startsWith("s3://")) {
                    read(out, "s3:GetObject", bucket(src), object(src), rc, origin);
                }
            }
            case "s3 rm" -> out.add(call("s3:DeleteObject", object(args.get(2)), origin));
            case "s3 ls" -> {
                String url = args.get(2);
                String rest = url.substring("s3://".length());
                String prefix = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
                out.add(
                        new AwsCall(
                                PRINCIPAL,
                                "s3:ListBucket",
                                bucket(url),
                                Map.of("s3:prefix", prefix),
                                origin));
            }
            case "s3api head-object", "s3api get-object" -> {
                String b = option(args, "--bucket");
                String k = option(args, "--key");
                String action =
                        option(args, "--version-id") != null
                                ? "s3:GetObjectVersion"
                                : "s3:GetObject";
                read(out, action, "arn:aws:s3:::" + b, "arn:aws:s3:::" + b + "/" + k, rc, origin);
            }
            case "s3api list-objects-v2", "s3api list-objects" -> {
                // ListObjects(V2) is authorised as s3:ListBucket on the bucket, its prefix the
                // s3:prefix condition key (IAM Service Authorization Reference, Amazon S3: "Actions
                // defined by Amazon S3", ListBucket)
                String prefix = option(args, "--prefix");
                out.add(
                        new AwsCall(
                                PRINCIPAL,
                                "s3:ListBucket",
                                "arn:aws:s3:::" + option(args, "--bucket"),
                                Map.of("s3:prefix", prefix == null ? "" : prefix),
                                origin));
            }
            case "ssm get-parameter" -> {
                String name = option(args, "--name");
                out.add(
                        call(
                                "ssm:GetParameter",
                                "arn:aws:ssm:"
                                        + RecordingInterceptor.REGION
                                        + ":"
                                        + RecordingInterceptor.ACCOUNT
                                        + ":parameter"
                                        + (name.startsWith("/") ? name : "/" + name),
                                origin));
            }
            case "ecr get-login-password" ->
                    out.add(call("ecr:GetAuthorizationToken", "*", origin));
            default ->
                    out.add(
                            call(
                                    "aws-cli:" + command,
                                    "*",
                                    origin + " (not mapped in HostCli: map it)"));
        }
        return out;
    }

    /**
     * A read that failed may have been a missing key: S3 answers 404 for it only to a caller that
     * may list the bucket.
     */
    private static void read(
            List<AwsCall> out,
            String action,
            String bucketArn,
            String objectArn,
            int rc,
            String origin) {
        out.add(call(action, objectArn, origin));
        if (rc != 0) {
            out.add(call("s3:ListBucket", bucketArn, origin + " (missing key?)"));
        }
    }

    private static AwsCall call(String action, String resource, String origin) {
        return new AwsCall(PRINCIPAL, action, resource, Map.of(), origin);
    }

    private static String object(String url) {
        return "arn:aws:s3:::" + url.substring("s3://".length());
    }

    private static String bucket(String url) {
        String rest = url.substring("s3://".length());
        return "arn:aws:s3:::" + (rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }
}
