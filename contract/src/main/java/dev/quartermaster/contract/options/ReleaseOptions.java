package dev.quartermaster.contract.options;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.quartermaster.contract.options.Options.APP_SERVICE;
import static dev.quartermaster.contract.options.Options.COMPOSE_COMMAND;
import static dev.quartermaster.contract.options.Options.COMPOSE_FILE;
import static dev.quartermaster.contract.options.Options.COMPOSE_PROJECT_DIR;
import static dev.quartermaster.contract.options.Options.CONTAINER_CLI;
import static dev.quartermaster.contract.options.Options.HEALTH_TIMEOUT_SECONDS;
import static dev.quartermaster.contract.options.Options.HEALTH_URL;
import static dev.quartermaster.contract.options.Options.LIFECYCLE_PROTECT_GRACE_DAYS;
import static dev.quartermaster.contract.options.Options.RELEASE_BATCH;
import static dev.quartermaster.contract.options.Options.RELEASE_HOOKS;
import static dev.quartermaster.contract.options.Options.RELEASE_REPOSITORY;
import static dev.quartermaster.contract.options.Options.RELEASE_RESTORE_POINT;
import static dev.quartermaster.contract.options.Options.VERSION_FILE;
import static dev.quartermaster.contract.options.Options.VERSION_REGEX;

/**
 * The release switch: which repository is the app, where its compose project lives on the host, how
 * the running app is proven (health URL, version file and regex), which container tools the host
 * has, how long a released digest keeps its protection mark, the hooks run in the app container,
 * and how many app hosts a rolling release switches at once.
 */
public record ReleaseOptions(
        String repository,
        String projectDir,
        String composeFile,
        String service,
        String healthUrl,
        int healthTimeoutSeconds,
        boolean restorePoint,
        String containerCli,
        String composeCommand,
        String versionFile,
        String versionRegex,
        int protectGraceDays,
        ReleaseHooks hooks,
        int batch) {

    static ReleaseOptions read(OptionSource s, Problems problems, List<String> repositories) {
        String repository =
                RELEASE_REPOSITORY.readOr(
                        s, problems, repositories.isEmpty() ? "wordpress" : repositories.get(0));
        if (!repositories.contains(repository)) {
            problems.add(
                    RELEASE_REPOSITORY
                            + ": '"
                            + repository
                            + "' is not one of the repositories "
                            + repositories);
        }
        String regex = VERSION_REGEX.read(s, problems);
        checkRegex(regex, problems);
        String projectDir = COMPOSE_PROJECT_DIR.read(s, problems);
        if (projectDir.contains("..")) {
            problems.add(COMPOSE_PROJECT_DIR + ": must not contain '..'");
        }
        return new ReleaseOptions(
                repository,
                projectDir,
                COMPOSE_FILE.read(s, problems),
                APP_SERVICE.read(s, problems),
                HEALTH_URL.read(s, problems),
                HEALTH_TIMEOUT_SECONDS.read(s, problems),
                RELEASE_RESTORE_POINT.read(s, problems),
                CONTAINER_CLI.read(s, problems),
                COMPOSE_COMMAND.read(s, problems),
                VERSION_FILE.read(s, problems),
                regex,
                LIFECYCLE_PROTECT_GRACE_DAYS.read(s, problems),
                ReleaseHooks.parse(RELEASE_HOOKS.read(s, problems), problems),
                RELEASE_BATCH.read(s, problems));
    }

    /**
     * The host runs the regex with sed -E (POSIX extended): Java-only syntax would compile here and
     * match nothing there.
     */
    private static void checkRegex(String regex, Problems problems) {
        try {
            Matcher m = Pattern.compile(regex).matcher("");
            if (m.groupCount() < 1) {
                problems.add(
                        VERSION_REGEX + ": '" + regex + "' needs one capturing group, the version");
            }
        } catch (PatternSyntaxException e) {
            problems.add(
                    VERSION_REGEX
                            + ": '"
                            + regex
                            + "' is not a regular expression: "
                            + e.getDescription());
        }
        if (regex.contains("'")
                || regex.contains("{{")
                || regex.contains("}}")
                || !regex.matches("[\\x20-\\x7E]+")) {
            problems.add(
                    VERSION_REGEX
                            + ": use printable characters without ' or {{ }} (match a quote with .)");
        }
        if (regex.matches(".*(\\(\\?|\\\\[dDpPQEAzZhH]|[*+?}]\\?).*") || regex.endsWith("\\")) {
            problems.add(
                    VERSION_REGEX
                            + ": '"
                            + regex
                            + "' uses syntax GNU sed -E on the host does not have ((?...), \\d, \\p, lazy *? +?,"
                            + " a trailing \\): write it as POSIX extended, e.g. [0-9] for \\d");
        }
    }
}
