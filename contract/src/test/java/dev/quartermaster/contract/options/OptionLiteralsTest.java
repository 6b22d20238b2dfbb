package dev.quartermaster.contract.options;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No cdk.json key is read by its string anywhere but in the declarations: the main code of every
 * module names a key only through {@link Options} (and at most one main file, Options.java, spells
 * each one). A word that is also a key but means something else where it is written is listed below
 * with why.
 */
class OptionLiteralsTest {
    static final Path ROOT = Path.of("..");
    static final String DECLARATIONS =
            "contract/src/main/java/dev/quartermaster/contract/options/Options.java";

    /**
     * Key → the main files (paths from the repository root, or a folder ending in /) where the same
     * word is another seam's name.
     */
    static final Map<String, Set<String>> OTHER_MEANINGS =
            Map.of(
                    // the backup manifest's, the ledger's and the alerts' field, the SSM documents'
                    // parameter (HostParam), a host's role (Host)
                    "database",
                            Set.of(
                                    "functions/src/main/java/dev/quartermaster/backup/",
                                    "contract/src/main/java/dev/quartermaster/contract/HostParam.java",
                                    "contract/src/main/java/dev/quartermaster/contract/Host.java",
                                    // an alert's attribute (the database a backup alert is about),
                                    // part of its subject
                                    "functions/src/main/java/dev/quartermaster/common/Alert.java"),
                    // the local signer's state directory (.qm/signing), not the option
                    "signing",
                            Set.of(
                                    "cli/src/main/java/dev/quartermaster/cli/local/LocalEnvironment.java"),
                    // a package of the images bundle's jar (Bundle), not the option
                    "replication",
                            Set.of("contract/src/main/java/dev/quartermaster/contract/Bundle.java"),
                    // the deploy record's key for what each repository was created with
                    // (DeployRecord.ENCRYPTION)
                    "repositoryEncryption",
                            Set.of(
                                    "contract/src/main/java/dev/quartermaster/contract/DeployRecord.java"),
                    // the command's name (bin/qm hosts check), not the option
                    "hosts",
                            Set.of(
                                    "cli/src/main/java/dev/quartermaster/cli/ops/HostsCommand.java"));

    @Test
    void mainCode_namesNoOptionKeyOutsideTheDeclarations() {
        Map<String, List<String>> found = new TreeMap<>();
        for (Path file : mainSources()) {
            String rel = ROOT.relativize(file).toString().replace('\\', '/');
            String text = read(file);
            for (Option<?> o : Options.ALL) {
                if (text.contains("\"" + o.key() + "\"")
                        && !rel.equals(DECLARATIONS)
                        && !otherMeaning(o.key(), rel)) {
                    found.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(rel);
                }
            }
        }

        assertThat(found)
                .as(
                        "cdk.json keys read by their string: read them through dev.quartermaster.contract.options.Options"
                                + " (a slice of Configuration, or Option.read) instead")
                .isEmpty();
    }

    @Test
    void declarations_spellEveryKey() {
        String text = read(ROOT.resolve(DECLARATIONS));

        Options.ALL.forEach(o -> assertThat(text).as(o.key()).contains("\"" + o.key() + "\""));
        assertThat(mainSources())
                .as("the scan sees every module")
                .anyMatch(p -> p.toString().contains("infra"))
                .anyMatch(p -> p.toString().contains("cli"))
                .anyMatch(p -> p.toString().contains("functions"));
    }

    private static boolean otherMeaning(String key, String rel) {
        return OTHER_MEANINGS.getOrDefault(key, Set.of()).stream()
                .anyMatch(p -> p.endsWith("/") ? rel.startsWith(p) : rel.equals(p));
    }

    static List<Path> mainSources() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module :
                    modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
