package dev.quartermaster.common;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wire while a primer runs ({@link Priming#inProgress()}): only reads leave the process. Every
 * SDK client of ours is built with {@link #INTERCEPTOR} and the shared {@link #around guarded} HTTP
 * client; the interceptor tells the HTTP client, per attempt and after marshalling, endpoint
 * resolution and signing, which operation it is about to send. A read (an operation named
 * Get/Describe/List/Query/Scan/Head/BatchGet…) is sent; anything else — a write, a command, a
 * publish, a call the interceptor did not see, and the reads that hand out credentials or secrets
 * (GetAuthorizationToken, GetSecretValue, …: a snapshot must never hold one) — is answered here,
 * in-process, with an empty success of its protocol's shape, and never sent. A primer can therefore
 * run a function's real path on an event of its real kind: everything up to and after each write is
 * primed (marshalling, signing, the answer's unmarshalling) and nothing is written anywhere.
 * Outside priming both are pass-throughs.
 */
public final class PrimingGuard {
    private PrimingGuard() {}

    private static final Pattern READ =
            Pattern.compile("(Get|Describe|List|Query|Scan|BatchGet|Head)[A-Za-z0-9]*");

    /** Reads that answer with a credential, a key or a secret: never during priming. */
    private static final Pattern SECRET =
            Pattern.compile(".*(Token|Secret|Password|Credential|Key|Decrypt|Parameter).*");

    private static final Pattern FORM_ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)");

    /** The operation the current thread's SDK call is about to send (sync clients only). */
    private static final ThreadLocal<String> SENDING = new ThreadLocal<>();

    /**
     * Answers of our own for the operations whose empty success a function cannot go on from (the
     * shape of each operation's output in its API reference).
     */
    private static final Map<String, String> JSON_ANSWERS =
            Map.of(
                    // SSM SendCommand: "Command" (CommandId, Status), API reference
                    // API_SendCommand.html
                    "SendCommand",
                    "{\"Command\":{\"CommandId\":\"00000000-0000-4000-8000-000000000000\",\"Status\":\"Pending\"}}");

    /** Whether {@code operation} is sent while a primer runs. */
    public static boolean sentWhilePriming(String operation) {
        return operation != null
                && READ.matcher(operation).matches()
                && !SECRET.matcher(operation).matches();
    }

    /** Tells the guarded HTTP client which operation each attempt sends. */
    public static final ExecutionInterceptor INTERCEPTOR =
            new ExecutionInterceptor() {
                @Override
                public void beforeTransmission(
                        Context.BeforeTransmission context, ExecutionAttributes attributes) {
                    if (Priming.inProgress()) {
                        SENDING.set(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }

                @Override
                public void afterTransmission(
                        Context.AfterTransmission context, ExecutionAttributes attributes) {
                    SENDING.remove();
                }

                @Override
                public void onExecutionFailure(
                        Context.FailedExecution context, ExecutionAttributes attributes) {
                    SENDING.remove();
                }
            };

    /** {@code http}, answering what priming must not send (see the class comment). */
    public static SdkHttpClient around(SdkHttpClient http) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                if (!Priming.inProgress()) {
                    return http.prepareRequest(request);
                }
                String operation = SENDING.get();
                SENDING.remove();
                if (sentWhilePriming(operation) && !namesPriming(request)) {
                    return http.prepareRequest(request);
                }
                return answered(request, operation);
            }

            @Override
            public String clientName() {
                return http.clientName();
            }

            @Override
            public void close() {
                http.close();
            }
        };
    }

    private static ExecutableHttpRequest answered(HttpExecuteRequest request, String operation) {
        drain(request);
        // under qm-priming/missing nothing exists: a read finds nothing (a listing lists nothing:
        // ListObjectsV2's ListBucketResult, S3 API reference), a write succeeds
        if (names(request, MISSING)
                && request.httpRequest().method() == software.amazon.awssdk.http.SdkHttpMethod.GET
                && request.httpRequest().rawQueryParameters().containsKey("list-type")) {
            return answer(
                    200,
                    "OK",
                    "<ListBucketResult><Name>"
                            + MARK
                            + "</Name><Prefix>"
                            + MISSING
                            + "/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
                            + "<IsTruncated>false</IsTruncated></ListBucketResult>",
                    "application/xml",
                    false);
        }
        if (names(request, MISSING)
                && (request.httpRequest().method() == software.amazon.awssdk.http.SdkHttpMethod.GET
                        || request.httpRequest().method()
                                == software.amazon.awssdk.http.SdkHttpMethod.HEAD)) {
            return missing(request);
        }
        String type =
                request.httpRequest()
                        .firstMatchingHeader("Content-Type")
                        .orElse("")
                        .toLowerCase(Locale.ROOT);
        String body;
        String answerType = type;
        if (type.contains("x-amz-json")) {
            body = JSON_ANSWERS.getOrDefault(operation, "{}");
        } else if (type.contains("x-www-form-urlencoded")) {
            // the query protocol (SNS): <ActionResponse><ActionResult/>…</ActionResponse>
            String action = formAction(request).orElse(operation == null ? "Unknown" : operation);
            body =
                    "<"
                            + action
                            + "Response><"
                            + action
                            + "Result/><ResponseMetadata><RequestId>qm-priming</RequestId></ResponseMetadata></"
                            + action
                            + "Response>";
            answerType = "text/xml";
        } else {
            body = restAnswer(request); // REST (S3)
            answerType = body.isEmpty() ? "" : body.startsWith("<") ? "application/xml" : "";
        }
        return answer(200, "OK", body, answerType, true);
    }

    /** An answer of {@code status} with {@code body} ({@code type}, none when empty). */
    private static ExecutableHttpRequest answer(
            int status, String text, String body, String type, boolean stored) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpResponse.Builder response =
                SdkHttpResponse.builder()
                        .statusCode(status)
                        .statusText(text)
                        .putHeader("x-amzn-RequestId", MARK)
                        .putHeader("x-amz-request-id", MARK)
                        .putHeader("Content-Length", Integer.toString(bytes.length));
        if (stored) { // what S3 says of an object it holds
            response.putHeader("ETag", "\"qm-priming\"")
                    .putHeader("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT");
        }
        if (!type.isEmpty() && !body.isEmpty()) {
            response.putHeader("Content-Type", type);
        }
        if (stored && type.isEmpty() && !body.isEmpty()) {
            // an object's bytes, with the full-object checksum S3 returns for an object uploaded
            // with one (the SDK's uploads send CRC32): the response path validates it, as it does
            // every real read of ours (S3 API reference, GetObject: x-amz-checksum-crc32)
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            response.putHeader(
                    "x-amz-checksum-crc32",
                    java.util.Base64.getEncoder()
                            .encodeToString(
                                    java.nio.ByteBuffer.allocate(4)
                                            .putInt((int) crc.getValue())
                                            .array()));
        }
        HttpExecuteResponse answer =
                HttpExecuteResponse.builder()
                        .response(response.build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
                        .build();
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answer;
            }

            @Override
            public void abort() {}
        };
    }

    /**
     * The name every priming request of the clients' own ({@code S3Clients.primePaths}, {@code
     * Platform}'s) carries in its bucket, key or table: such a request is answered here even when
     * it reads.
     */
    public static final String MARK = "qm-priming";

    private static boolean namesPriming(HttpExecuteRequest request) {
        return names(request, MARK);
    }

    /**
     * Whether the request's URI names {@code text}, in its path or in a query value (decoded: a
     * ListObjectsV2 prefix {@code qm-priming/missing/} travels as {@code qm-priming%2Fmissing%2F}).
     */
    private static boolean names(HttpExecuteRequest request, String text) {
        String uri = request.httpRequest().getUri().toString();
        return uri.contains(text)
                || java.net.URLDecoder.decode(uri, StandardCharsets.UTF_8).contains(text);
    }

    /** A bare success of S3's REST API for the request's method and sub-resource. */
    private static String restAnswer(HttpExecuteRequest request) {
        var http = request.httpRequest();
        var query = http.rawQueryParameters();
        String key = MARK + "/object";
        return switch (http.method()) {
            case GET ->
                    query.containsKey("list-type")
                            // ListObjectsV2's ListBucketResult (S3 API reference)
                            ? "<ListBucketResult><Name>"
                                    + MARK
                                    + "</Name><Prefix>"
                                    + MARK
                                    + "/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
                                    + "<Contents><Key>"
                                    + key
                                    + "</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>10</Size><ETag>&quot;qm-priming&quot;</ETag><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"
                            : MARK; // an object's bytes
            case POST ->
                    query.containsKey("uploads")
                            ? "<InitiateMultipartUploadResult><Bucket>"
                                    + MARK
                                    + "</Bucket><Key>"
                                    + key
                                    + "</Key><UploadId>"
                                    + MARK
                                    + "</UploadId></InitiateMultipartUploadResult>"
                            : query.containsKey("uploadId")
                                    ? "<CompleteMultipartUploadResult><Bucket>"
                                            + MARK
                                            + "</Bucket><Key>"
                                            + key
                                            + "</Key><ETag>&quot;qm-priming&quot;</ETag></CompleteMultipartUploadResult>"
                                    : query.containsKey("delete") ? "<DeleteResult/>" : "";
            case PUT ->
                    http.firstMatchingHeader("x-amz-copy-source").isEmpty()
                            ? ""
                            : query.containsKey("uploadId")
                                    ? "<CopyPartResult><ETag>&quot;qm-priming&quot;</ETag></CopyPartResult>"
                                    : "<CopyObjectResult><ETag>&quot;qm-priming&quot;</ETag></CopyObjectResult>";
            default -> "";
        };
    }

    /** A name the guard answers as missing (S3's NoSuchKey, a JSON service's ResourceNotFound). */
    public static final String MISSING = MARK + "/missing";

    /**
     * What sending would have done to the body: read it (up to 1 MiB, then dropped), so its
     * encoding's path (S3's chunked encoding, its trailing checksum) is primed too.
     */
    private static void drain(HttpExecuteRequest request) {
        request.contentStreamProvider()
                .ifPresent(
                        p -> {
                            try (InputStream in = p.newStream()) {
                                byte[] buf = new byte[8192];
                                long left = 1 << 20;
                                int n;
                                while (left > 0 && (n = in.read(buf)) >= 0) {
                                    left -= n;
                                }
                            } catch (IOException | RuntimeException e) {
                                // the answer does not depend on it
                            }
                        });
    }

    /** The protocol's "not found" (S3 API reference: NoSuchKey, 404; JSON protocols: 400). */
    private static ExecutableHttpRequest missing(HttpExecuteRequest request) {
        String type =
                request.httpRequest()
                        .firstMatchingHeader("Content-Type")
                        .orElse("")
                        .toLowerCase(Locale.ROOT);
        boolean json = type.contains("x-amz-json");
        boolean head =
                request.httpRequest().method() == software.amazon.awssdk.http.SdkHttpMethod.HEAD;
        String body =
                json
                        ? "{\"__type\":\"ResourceNotFoundException\",\"message\":\"qm-priming\"}"
                        : head
                                ? ""
                                : "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>"
                                        + MISSING
                                        + "</Key><RequestId>qm-priming</RequestId></Error>";
        return answer(json ? 400 : 404, "Not Found", body, json ? type : "application/xml", false);
    }

    /** The query protocol's {@code Action=…}, from the first 8 KiB of the request's body. */
    private static Optional<String> formAction(HttpExecuteRequest request) {
        if (request.contentStreamProvider().isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = request.contentStreamProvider().get().newStream()) {
            String form = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
            Matcher m = FORM_ACTION.matcher(form);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
