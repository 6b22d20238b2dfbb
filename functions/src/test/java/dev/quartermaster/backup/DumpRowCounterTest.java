package dev.quartermaster.backup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The row counter backup-status runs on every dump, against the rules of the host's former awk (the
 * IT compares both on real dumps): data sections only, literals and escapes stripped, quoted names.
 */
class DumpRowCounterTest {
    private static Map<String, Long> count(String dump) throws Exception {
        return DumpRowCounter.count(
                new ByteArrayInputStream(dump.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void count_readsEachDataSectionInDumpOrder() throws Exception {
        var rows =
                count(
                        """
                -- Table structure for table `b``q`
                --
                -- Dumping data for table `b``q`
                --
                LOCK TABLES `b``q` WRITE;
                INSERT INTO `b``q` VALUES ('x),(y'),(3);
                UNLOCK TABLES;
                -- Table structure for table `e`
                -- Dumping data for table `e`
                UNLOCK TABLES;
                -- Table structure for table `we"ird`
                -- Dumping data for table `we"ird`
                INSERT INTO `we"ird` VALUES
                (1),
                (2);
                UNLOCK TABLES;
                DELIMITER ;;
                INSERT INTO `e` VALUES (1),(2),(3);
                END;;
                """);

        assertThat(rows)
                .containsExactly(
                        Map.entry("b`q", 2L), Map.entry("e", 0L), Map.entry("we\"ird", 2L));
    }

    @Test
    void count_ignoresEscapedQuotesAndParenthesesInsideStrings() throws Exception {
        // in the dump: (1,'it\'s ),( tricky'),(2,'a\\'),(3,NULL)
        var rows =
                count(
                        "-- Dumping data for table `t`\n"
                                + "INSERT INTO `t` VALUES (1,'it\\'s ),( tricky'),(2,'a\\\\'),(3,NULL);\nUNLOCK TABLES;\n");

        assertThat(rows).containsEntry("t", 3L);
    }

    @Test
    void read_findsStatementsThatLeaveOrCreateADatabase_butNotTheSameWordsInsideData()
            throws Exception {
        var dump =
                DumpRowCounter.read(
                        new java.io.ByteArrayInputStream(
                                ("-- MariaDB dump 10.19\n"
                                                + "-- Dumping data for table `t`\nINSERT INTO `t` VALUES (1,'USE wordpress; CREATE DATABASE x'),\n(2,'\nUSE x;');\nUNLOCK TABLES;\n"
                                                + "USE `wordpress`;\nDROP TABLE wp_users;\n/*!40000 CREATE DATABASE IF NOT EXISTS `other`*/;\n")
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        assertThat(dump.databaseStatements())
                .containsExactly(
                        "USE `wordpress`;", "/*!40000 CREATE DATABASE IF NOT EXISTS `other`*/;");
        assertThat(
                        DumpRowCounter.read(
                                        new java.io.ByteArrayInputStream(
                                                "-- Dumping data for table `t`\nINSERT INTO `t` VALUES (1);\n"
                                                        .getBytes(
                                                                java.nio.charset.StandardCharsets
                                                                        .UTF_8)))
                                .databaseStatements())
                .isEmpty();
    }

    @Test
    void count_anInsertIntoAnotherTableInsideASectionIsNotData() throws Exception {
        var rows =
                count(
                        "-- Dumping data for table `a`\nINSERT INTO `b` VALUES (1),(2);\nINSERT INTO `a` VALUES (1);\nUNLOCK TABLES;\n");

        assertThat(rows).containsEntry("a", 1L).doesNotContainKey("b");
    }

    @Test
    void read_takesTheVersionsFromTheDumpsHeader_notFromLaterLines() throws Exception {
        var dump =
                DumpRowCounter.read(
                        new ByteArrayInputStream(
                                """
                /*M!999999\\- enable the sandbox mode */
                -- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
                --
                -- Host: localhost    Database: wordpress
                -- ------------------------------------------------------
                -- Server version\t10.11.6-MariaDB-0+deb12u1

                -- Table structure for table `t`
                -- Dumping data for table `t`
                INSERT INTO `t` VALUES ('-- Server version\tforged'),(2);
                UNLOCK TABLES;
                """
                                        .getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(dump.dumpTool())
                .isEqualTo(
                        "MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)");
        assertThat(dump.serverVersion()).isEqualTo("10.11.6-MariaDB-0+deb12u1");
        assertThat(dump.rows()).containsExactly(Map.entry("t", 2L));

        var headless =
                DumpRowCounter.read(
                        new ByteArrayInputStream(
                                "INSERT INTO `t` VALUES (1);\n"
                                        .getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(headless.dumpTool()).isEmpty();
        assertThat(headless.serverVersion()).isEmpty();
    }
}
