package dev.quartermaster.contract.options;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrivateHostsOptionsTest {
    static final String GOOD =
            "{\"vpcId\":\"vpc-0a1b2c3d4e5f60718\",\"subnets\":[\"subnet-0a1b2c3d4e5f60718\",\"subnet-1a2b3c4d\"],"
                    + "\"routeTables\":[\"rtb-0a1b2c3d4e5f60718\"]}";

    private static PrivateHostsOptions read(String json) {
        return Configuration.read(OptionSource.of(Map.of("privateHosts", json))).privateHosts();
    }

    @Test
    void notSet_meansNoPrivateHosts() {
        assertThat(Configuration.read(OptionSource.of(Map.of())).privateHosts().enabled())
                .isFalse();
        assertThat(read("{}").enabled()).isFalse();
    }

    @Test
    void theIssuesShape_isRead() {
        PrivateHostsOptions p = read(GOOD);
        assertThat(p.enabled()).isTrue();
        assertThat(p.vpcId()).isEqualTo("vpc-0a1b2c3d4e5f60718");
        assertThat(p.subnets()).containsExactly("subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d");
        assertThat(p.routeTables()).containsExactly("rtb-0a1b2c3d4e5f60718");
        assertThat(p.hostSecurityGroups()).isEmpty();
    }

    @Test
    void hostSecurityGroups_areRead() {
        PrivateHostsOptions p =
                read(GOOD.replace("}", ",\"hostSecurityGroups\":[\"sg-0a1b2c3d4e5f60718\"]}"));
        assertThat(p.hostSecurityGroups()).containsExactly("sg-0a1b2c3d4e5f60718");
    }

    @Test
    void idsOfTheWrongShape_areRefusedEachByName() {
        assertThatThrownBy(() -> read(GOOD.replace("vpc-0a1b2c3d4e5f60718", "vpc-XYZ")))
                .hasMessageContaining("vpcId 'vpc-XYZ' is not a VPC id");
        assertThatThrownBy(() -> read(GOOD.replace("subnet-1a2b3c4d", "sub-1a2b3c4d")))
                .hasMessageContaining("subnets: 'sub-1a2b3c4d'");
        assertThatThrownBy(
                        () -> read(GOOD.replace("rtb-0a1b2c3d4e5f60718", "rtb-0a1b2c3d4e5f6071")))
                .hasMessageContaining("routeTables: 'rtb-0a1b2c3d4e5f6071'");
        assertThatThrownBy(
                        () ->
                                read(
                                        GOOD.replace(
                                                "}",
                                                ",\"hostSecurityGroups\":[\"sg-1; rm -rf\"]}")))
                .hasMessageContaining("hostSecurityGroups: 'sg-1; rm -rf'");
    }

    @Test
    void emptyOrMissingLists_areRefused() {
        assertThatThrownBy(() -> read(GOOD.replace("[\"rtb-0a1b2c3d4e5f60718\"]", "[]")))
                .hasMessageContaining("routeTables must be a non-empty list");
        assertThatThrownBy(
                        () ->
                                read(
                                        "{\"vpcId\":\"vpc-1a2b3c4d\",\"routeTables\":[\"rtb-1a2b3c4d\"]}"))
                .hasMessageContaining("subnets must be a non-empty list");
    }

    @Test
    void duplicatesUnknownFieldsAndNonObjects_areRefused() {
        assertThatThrownBy(
                        () ->
                                read(
                                        GOOD.replace(
                                                "\"subnet-1a2b3c4d\"",
                                                "\"subnet-0a1b2c3d4e5f60718\"")))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> read(GOOD.replace("}", ",\"cidr\":\"10.0.0.0/16\"}")))
                .hasMessageContaining("unknown field 'cidr'");
        assertThatThrownBy(() -> read("[\"vpc-1a2b3c4d\"]"))
                .hasMessageContaining("privateHosts: must be a JSON object");
    }
}
