package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest as the restore script reads it: one member per line, the tables one per line
 * (qm-lib.sh's sed patterns).
 */
class BackupManifestTest {
    // the patterns of backup-restore.sh and qm_manifest_tables, in Java
    private static final Pattern SHA = Pattern.compile("(?m)^ *\"sha256\": *\"([a-f0-9]{64})\"");
    private static final Pattern DATABASE =
            Pattern.compile("(?m)^ *\"database\": *\"([A-Za-z0-9_]*)\"");
    private static final Pattern BYTES = Pattern.compile("(?m)^ *\"bytes\": *([0-9]{1,15}),? *$");
    private static final Pattern COMPRESSION =
            Pattern.compile("(?m)^ *\"compression\": *\"([a-z]*)\"");
    private static final Pattern TABLE = Pattern.compile("^    \"(.*)\": ([0-9]+),?$");

    @Test
    void eachMember_isOnALineOfItsOwn_asTheRestoreScriptReadsIt() throws Exception {
        Map<String, Long> tables = new LinkedHashMap<>();
        tables.put("wp_posts", 12L);
        tables.put("odd \"name\" \\ here", 3L);
        tables.put("wp_options", 0L);
        String sha = "ab".repeat(32);
        String json =
                new BackupManifest(
                                "backups/wordpress/k.sql.zst",
                                "wordpress",
                                1234,
                                sha,
                                "zstd",
                                "2026-11-30T03:00:00Z",
                                "2026-11-30T03:00:05Z",
                                "11.4.2-MariaDB",
                                "mariadb-dump 10.19",
                                5000,
                                new SchemaFingerprint("cd".repeat(32), "57155", 5),
                                tables)
                        .json();

        assertThat(group(SHA, json)).isEqualTo(sha);
        assertThat(group(DATABASE, json)).isEqualTo("wordpress");
        assertThat(json)
                .as("the schema's fingerprint, for bin/qm rollback")
                .contains("\"schemaFingerprint\": \"" + "cd".repeat(32) + "\"")
                .contains("\"dbVersion\": \"57155\"");
        assertThat(group(COMPRESSION, json)).isEqualTo("zstd");
        assertThat(group(BYTES, json))
                .as("the size the restore proves before the import")
                .isEqualTo("1234");
        List<String> lines = json.lines().toList();
        int start = lines.indexOf("  \"tables\": {");
        assertThat(start).as(json).isPositive();
        Map<String, Long> read = new LinkedHashMap<>();
        for (String l : lines.subList(start + 1, lines.size())) {
            Matcher m = TABLE.matcher(l);
            if (l.equals("  }")) {
                break;
            }
            assertThat(m.matches()).as(l).isTrue();
            read.put(
                    m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"),
                    Long.parseLong(m.group(2)));
        }
        assertThat(read).isEqualTo(tables);
        assertThat(json).endsWith("}\n");
        assertThat(new ObjectMapper().readTree(json).path("tables").path("wp_posts").asLong())
                .isEqualTo(12);
    }

    private static String group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        assertThat(m.find()).as(p + " in " + s).isTrue();
        return m.group(1);
    }
}
