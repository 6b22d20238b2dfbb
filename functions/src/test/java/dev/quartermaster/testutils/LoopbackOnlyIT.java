package dev.quartermaster.testutils;

import dev.quartermaster.testkit.Net;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local backends the tests start listen on the loopback address only, never on every interface.
 */
class LoopbackOnlyIT {

    @Test
    void dynamoDbLocal_listensOnLoopbackOnly() {
        assertThat(Net.listeningAddresses(LocalLedger.dynamo().port()))
                .containsExactly("127.0.0.1");
    }

    @Test
    void registry_listensOnLoopbackOnly() {
        assertThat(Net.listeningAddresses(LocalRegistries.shared().port()))
                .containsExactly("127.0.0.1");
    }

    @Test
    void s3Mock_listensOnLoopbackOnly_withEveryConnector() {
        var s3 = LocalBackends.s3();
        assertThat(Net.listeningAddresses(s3.port())).containsExactly("127.0.0.1");
        assertThat(Net.listeningAddressesOf(s3.pid()))
                .as("every socket S3Mock listens on, its HTTP connector's included")
                .containsExactly("127.0.0.1");
    }

    @Test
    void mariaDb_listensOnLoopbackOnly() {
        assertThat(Net.listeningAddresses(LocalBackends.mariaDb().port()))
                .containsExactly("127.0.0.1");
    }
}
