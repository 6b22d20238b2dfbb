package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostTest {
    private static final String TWO =
            "[{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]},"
                    + "{\"name\":\"web-1\",\"tagKey\":\"qm:host\",\"tagValue\":\"web=1\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"web-2\",\"tagKey\":\"qm:host\",\"tagValue\":\"web-2\",\"roles\":[\"APP\"]}]";

    @Test
    void theDefault_isOneHostRunningBoth_taggedAsBefore() {
        List<Host> hosts = Host.parseList(Setting.HOSTS.defaultValue());
        assertThat(hosts)
                .containsExactly(
                        new Host(
                                Host.DEFAULT_NAME,
                                "qm:backup",
                                "true",
                                EnumSet.allOf(Host.Role.class)));
        assertThat(Host.database(hosts)).isSameAs(Host.app(hosts, null));
    }

    @Test
    void aList_roundTripsThroughJson_andTagsMayHoldAnEqualsSign() {
        List<Host> hosts = Host.parseList(TWO);
        assertThat(Host.parseList(Host.toJson(hosts))).isEqualTo(hosts);
        assertThat(Host.database(hosts).name()).isEqualTo("db");
        assertThat(Host.apps(hosts)).extracting(Host::name).containsExactly("web-1", "web-2");
        assertThat(Host.app(hosts, "web-1").tagValue()).isEqualTo("web=1");
    }

    @Test
    void severalAppHosts_needANamedOne() {
        List<Host> hosts = Host.parseList(TWO);
        assertThatThrownBy(() -> Host.app(hosts, null))
                .hasMessageContaining("2 hosts (web-1, web-2)")
                .hasMessageContaining("--host");
        assertThatThrownBy(() -> Host.app(hosts, "db"))
                .hasMessageContaining("no app host named 'db'");
    }

    @Test
    void badLists_sayWhatIsWrong() {
        assertThatThrownBy(() -> Host.parseList("{}")).hasMessageContaining("non-empty JSON list");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"a\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\"]}]"))
                .hasMessageContaining("exactly one host must have the role database");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"a\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"database\"]}]"))
                .hasMessageContaining("at least one host must have the role app");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"a\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\",\"database\"]},"
                                                + "{\"name\":\"b\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\"]}]"))
                .hasMessageContaining("same tag");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"Web 1\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\"]}]"))
                .hasMessageContaining("lowercase");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"a\",\"tagKey\":\"k'x\",\"tagValue\":\"v\",\"roles\":[\"app\"]}]"))
                .hasMessageContaining("128 letters");
        assertThatThrownBy(
                        () ->
                                Host.parseList(
                                        "[{\"name\":\"a\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"web\"]}]"))
                .hasMessageContaining("must be app or database");
    }
}
