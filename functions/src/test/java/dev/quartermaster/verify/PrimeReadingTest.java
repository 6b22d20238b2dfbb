package dev.quartermaster.verify;

import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.registry.PrimingImage;
import dev.quartermaster.registry.RegistryNotFoundException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The priming image is a real image to our reader: a primer that walked an error path instead (a
 * bad tar header, a wrong digest) would leave the first real event to load the reading path.
 */
class PrimeReadingTest {
    @Test
    void primeReading_verifiesThePrimingImage_throughTheWholeReadingPath() {
        ImageVerifier.Report report = VerifyRoot.primeReading();

        assertThat(report.verdict().kind()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(report.verdict().promised()).isEqualTo("1.0");
        assertThat(report.verdict().found()).isEqualTo("1.0.0");
        assertThat(report.digest()).startsWith("sha256:");
    }

    @Test
    void primingImage_servesOnlyItsOwnRepository_andNoWrites() throws Exception {
        try (PrimingImage image = PrimingImage.serve("a/file", "x")) {
            assertThat(image.url()).startsWith("http://127.0.0.1:");
            assertThat(image.client().manifest(PrimingImage.REPOSITORY, image.digest()).digest())
                    .isEqualTo(image.digest());
            assertThatThrownBy(() -> image.client().manifest("wordpress", image.digest()))
                    .isInstanceOf(RegistryNotFoundException.class);
            HttpResponse<String> put =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            image.url()
                                                                    + "/v2/"
                                                                    + PrimingImage.REPOSITORY
                                                                    + "/manifests/"
                                                                    + image.digest()))
                                            .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(404);
        }
    }
}
