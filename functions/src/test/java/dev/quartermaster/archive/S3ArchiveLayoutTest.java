package dev.quartermaster.archive;

import dev.quartermaster.registry.Digests;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The layout's part buffers come back on every path, and a wait for one ends at the run's deadline.
 */
class S3ArchiveLayoutTest {
    private static final int PART = 5 * 1024 * 1024;
    private static final byte[] BLOB = new byte[2 * PART + 1024]; // three parts
    private static final String DIGEST;

    static {
        new Random(32).nextBytes(BLOB);
        DIGEST = "sha256:" + HexFormat.of().formatHex(Digests.sha256().digest(BLOB));
    }

    /**
     * S3 at the SDK's edge: UploadPart answers 503 SlowDown while {@code failing}, or waits for
     * {@code stuck}.
     */
    private static final class FlakyS3 implements S3Client {
        volatile boolean failing = true;
        volatile CountDownLatch stuck = new CountDownLatch(0);
        final CountDownLatch firstFailure = new CountDownLatch(1);
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();

        @Override
        public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest r) {
            return CreateMultipartUploadResponse.builder()
                    .uploadId("upload-" + System.nanoTime())
                    .build();
        }

        @Override
        public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            drain(body);
            if (failing) {
                failures.incrementAndGet();
                firstFailure.countDown();
                throw (S3Exception)
                        S3Exception.builder()
                                .statusCode(503)
                                .message("Please reduce your request rate. (SlowDown)")
                                .build();
            }
            return UploadPartResponse.builder().eTag("\"etag-" + r.partNumber() + "\"").build();
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(
                CompleteMultipartUploadRequest r) {
            completed.incrementAndGet();
            return CompleteMultipartUploadResponse.builder().build();
        }

        @Override
        public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest r) {
            aborted.incrementAndGet();
            return AbortMultipartUploadResponse.builder().build();
        }

        @Override
        public PutObjectResponse putObject(PutObjectRequest r, RequestBody body) {
            drain(body);
            return PutObjectResponse.builder().build();
        }

        private static void drain(RequestBody body) {
            try (InputStream in = body.contentStreamProvider().newStream()) {
                in.transferTo(OutputStreamSink.INSTANCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {}
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

    /**
     * The blob's bytes, holding back everything past the first part until the first upload has
     * failed (and a moment more): the copy then finds a failed part after it has taken and filled
     * its next buffer.
     */
    private static InputStream afterTheFirstFailure(FlakyS3 s3) {
        return new ByteArrayInputStream(BLOB) {
            private boolean waited;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (!waited && pos >= PART) {
                    waited = true;
                    try {
                        s3.firstFailure.await(10, TimeUnit.SECONDS);
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.read(b, off, len);
            }
        };
    }

    @Test
    void putBlob_afterMoreFailedPartUploadsThanBuffers_stillGetsABuffer_andEveryBufferIsBack() {
        FlakyS3 s3 = new FlakyS3();
        S3ArchiveLayout layout =
                new S3ArchiveLayout(() -> s3, "archive", "a/", PART, 2, null, Long.MAX_VALUE);

        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> {
                    for (int i = 0; i < 4; i++) {
                        assertThatThrownBy(
                                        () ->
                                                layout.putBlob(
                                                        DIGEST,
                                                        BLOB.length,
                                                        afterTheFirstFailure(s3)))
                                .hasMessageContaining("SlowDown");
                    }
                    assertThat(s3.failures.get()).as("failed part uploads").isGreaterThan(2);
                    assertThat(s3.aborted.get()).isEqualTo(4);

                    s3.failing = false;
                    layout.putBlob(DIGEST, BLOB.length, new ByteArrayInputStream(BLOB));
                },
                "a putBlob waited for a part buffer that a failed copy never gave back");

        assertThat(s3.completed.get()).isEqualTo(1);
        assertThat(layout.freeBuffers()).isEqualTo(2);
    }

    @Test
    void putBlob_whenEveryBufferIsHeldByStuckUploads_endsAtTheDeadlineWithATimeoutError() {
        FlakyS3 s3 = new FlakyS3();
        s3.failing = false;
        s3.stuck = new CountDownLatch(1);
        S3ArchiveLayout layout =
                new S3ArchiveLayout(() -> s3, "archive", "a/", PART, 2, null, Long.MAX_VALUE);
        // the stuck uploads end (as the SDK's own timeouts would end them) well after the deadline
        Thread release =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            s3.stuck.countDown();
                        });
        release.setDaemon(true);
        release.start();

        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () ->
                        assertThatThrownBy(
                                        () ->
                                                layout.putBlob(
                                                        DIGEST,
                                                        BLOB.length,
                                                        new ByteArrayInputStream(BLOB),
                                                        Instant.now().plusMillis(300)))
                                .isInstanceOf(ArchiveException.class)
                                .hasMessageContaining("out of time waiting for a part buffer"));

        assertThat(s3.completed.get()).isZero();
        assertThat(s3.aborted.get()).isEqualTo(1);
        assertThat(layout.freeBuffers()).isEqualTo(2);
    }
}
