package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostDocumentTest {

    @Test
    void aCall_checksEachValue_beforeAnythingIsSent() {
        assertThatThrownBy(() -> HostDocument.DUMP.call().with(HostParam.DATABASE, "x'; rm -rf /"))
                .hasMessageContaining("database=")
                .hasMessageContaining("does not match");
        assertThatThrownBy(
                        () ->
                                HostDocument.DUMP
                                        .call()
                                        .with(HostParam.DIGEST, "sha256:" + "a".repeat(64)))
                .hasMessageContaining("DUMP has no parameter digest");
        assertThatThrownBy(
                        () ->
                                HostDocument.DUMP
                                        .call()
                                        .with(HostParam.BUCKET, "qm-backups")
                                        .parameters())
                .hasMessageContaining("needs");
        assertThatThrownBy(() -> HostDocument.RELEASE.call().with(HostParam.DIGEST, ""))
                .hasMessageContaining("needs digest");
    }

    @Test
    void theReleaseSendsTheHostsName_checkedAsAHostName_andMayOmitIt() {
        String digest = "sha256:" + "a".repeat(64);
        assertThat(
                        HostDocument.RELEASE
                                .call()
                                .with(HostParam.DIGEST, digest)
                                .with(HostParam.EXPECTED_VERSION, "6.5")
                                .with(HostParam.HOST_NAME, "web1")
                                .parameters())
                .containsEntry("hostName", "web1");
        assertThatThrownBy(() -> HostDocument.RELEASE.call().with(HostParam.HOST_NAME, "web1;id"))
                .hasMessageContaining("hostName=");
        assertThat(
                        HostDocument.RELEASE.environment(
                                Map.of("digest", digest, "expectedVersion", "6.5")))
                .containsEntry("QM_HOST_NAME", "");
        assertThat(HostDocument.RELEASE.optionalSiteVariables())
                .containsExactly(
                        "QM_HOOK_BEFORE_SWITCH", "QM_HOOK_AFTER_SWITCH", "QM_HOOK_BEFORE_ROLLBACK");
        assertThat(HostDocument.RELEASE_CHECK.optionalSiteVariables()).isEmpty();
    }

    @Test
    void optionalValues_takeTheDocumentsDefault() {
        Map<String, String> p =
                HostDocument.DUMP
                        .call()
                        .with(HostParam.BUCKET, "qm-backups")
                        .with(HostParam.KEY, "backups/a.sql.zst")
                        .with(HostParam.DATABASE, "wordpress")
                        .with(HostParam.CONTAINER, "")
                        .with(HostParam.COMPRESSION, "")
                        .parameters();
        assertThat(p)
                .containsEntry("compression", Setting.BACKUP_COMPRESSION.defaultValue())
                .containsEntry("container", "");
        assertThat(p.keySet())
                .containsExactly("bucket", "key", "database", "container", "compression");
    }

    @Test
    void theEnvironment_isWhatTheDocumentExports_withItsFixedMode() {
        Map<String, String> env =
                HostDocument.DRILL.environment(
                        Map.of("bucket", "qm-backups", "database", "wordpress"));
        assertThat(env)
                .containsEntry("QM_MODE", "drill")
                .containsEntry("QM_KEY", "")
                .containsEntry("QM_DATABASE", "wordpress")
                .containsEntry("QM_CONTAINER", "")
                .containsEntry("QM_PASSWORD_PARAMETER", "");
        assertThatThrownBy(
                        () ->
                                HostDocument.DRILL.environment(
                                        Map.of(
                                                "bucket",
                                                "qm-backups",
                                                "database",
                                                "w",
                                                "mode",
                                                "restore")))
                .hasMessageContaining("has no parameter mode");
        assertThat(
                        HostDocument.DUMP.environment(
                                Map.of("bucket", "b-b", "key", "k", "database", "d")))
                .containsEntry("QM_COMPRESSION", "zstd")
                .doesNotContainKey("QM_MODE");
    }

    @Test
    void patterns_admitNoQuoteSpaceOrShellCharacter_andOptionalOnesAdmitEmpty() {
        for (HostDocument d : HostDocument.values()) {
            for (HostDocument.Param p : d.params()) {
                for (String bad :
                        new String[] {"a'b", "a b", "a;b", "$(x)", "a`b", "a\nb", "{{ x }}"}) {
                    assertThat(bad).as(d + " " + p.param()).doesNotMatch(p.allowedPattern());
                }
                assertThat("".matches(p.allowedPattern()))
                        .as(d + " " + p.param())
                        .isEqualTo(!p.required() && p.defaultValue().isEmpty());
            }
        }
    }

    @Test
    void localNames_areTheFunctionsDefaults_andEachDocumentRunsOnOneRole() {
        assertThat(HostDocument.DUMP.localName()).isEqualTo(Setting.DUMP_DOCUMENT.defaultValue());
        assertThat(HostDocument.DRILL.localName()).isEqualTo(Setting.DRILL_DOCUMENT.defaultValue());
        assertThat(HostDocument.byLocalName("QuartermasterReleaseCheck"))
                .contains(HostDocument.RELEASE_CHECK);
        assertThat(HostDocument.RELEASE.role()).isEqualTo(Host.Role.APP);
        assertThat(HostDocument.RESTORE.role()).isEqualTo(Host.Role.DATABASE);
        assertThat(HostDocument.RELEASE.siteVariables())
                .contains("QM_IMAGE_REPO")
                .doesNotContain("QM_MODE");
    }

    @Test
    void stackOutputs_haveUniqueIds_andEmptyRoundTrips() {
        assertThat(
                        java.util.Arrays.stream(StackOutput.values())
                                .map(StackOutput::id)
                                .distinct()
                                .count())
                .isEqualTo(StackOutput.values().length);
        assertThat(StackOutput.read(StackOutput.write(""))).isEmpty();
        assertThat(StackOutput.HOSTS.setting()).contains(Setting.HOSTS);
        assertThat(StackOutput.RESTORE_DOCUMENT_NAME.setting()).isEmpty();
    }
}
