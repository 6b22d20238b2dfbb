package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's host scripts (infra/ssm/*.sh) with bash, as the SSM agent would run them on
 * the EC2 host: the document's parameters become QM_* variables, the AWS CLI points at the local
 * S3.
 */
public final class HostScripts {
    /** How a run ended. */
    public record Run(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /**
         * CPU the script and everything it ran used (user + system, from /proc), or -1 if unknown.
         */
        public long cpuMillis() {
            return output.lines()
                    .filter(l -> l.startsWith(CPU_LINE))
                    .map(l -> Long.parseLong(l.substring(CPU_LINE.length()).trim()))
                    .reduce((a, b) -> b)
                    .orElse(-1L);
        }
    }

    static final String CPU_LINE = "QM-HOST-CPU-MS ";

    /**
     * Runs {@code command} (a bash command line) and reports the CPU it and its children used, as
     * the last line of the output: how the benchmarks measure what a backup costs the host.
     */
    public static String withCpu(String command) {
        return command
                + "; rc=$?; read -r -a s < /proc/$$/stat; echo \""
                + CPU_LINE
                + "$(( (s[15] + s[16]) * 1000 / $(getconf CLK_TCK) ))\" >&2; exit $rc";
    }

    private final Path scriptsDir;
    private final Map<String, String> baseEnv;

    public HostScripts(Path repoRoot, LocalS3 s3, LocalMariaDb db) {
        this.scriptsDir = repoRoot.resolve("infra/ssm");
        Map<String, String> env = new HashMap<>(s3.cliEnvironment());
        env.put("QM_DB_DEFAULTS_FILE", db.defaultsFile().toString());
        this.baseEnv = Map.copyOf(env);
    }

    private HostScripts(Path scriptsDir, Map<String, String> baseEnv) {
        this.scriptsDir = scriptsDir;
        this.baseEnv = Map.copyOf(baseEnv);
    }

    /**
     * The same scripts with more environment for every run (e.g. a PATH with a recording shim, the
     * host's credentials).
     */
    public HostScripts withEnvironment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(baseEnv);
        env.putAll(extra);
        return new HostScripts(scriptsDir, env);
    }

    public Path script(String name) {
        return scriptsDir.resolve(name);
    }

    public Run run(String script, Map<String, String> qmEnv) {
        return run(script, qmEnv, Map.of());
    }

    /**
     * @param extraEnv e.g. PATH with a shim directory first, TMPDIR
     */
    public Run run(String script, Map<String, String> qmEnv, Map<String, String> extraEnv) {
        return run(script, qmEnv, extraEnv, null);
    }

    /**
     * @param workDir the script's working directory (null: this process's)
     */
    public Run run(
            String script, Map<String, String> qmEnv, Map<String, String> extraEnv, Path workDir) {
        return run(script, qmEnv, extraEnv, workDir, line -> {});
    }

    /**
     * @param lines each output line as the script prints it (a progress display)
     */
    public Run run(
            String script,
            Map<String, String> qmEnv,
            Map<String, String> extraEnv,
            Path workDir,
            java.util.function.Consumer<String> lines) {
        Path file = script(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no host script " + file);
        }
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(
                                    List.of(
                                            "bash",
                                            "-c",
                                            withCpu("bash \"$1\""),
                                            "qm-host",
                                            file.toString()))
                            .redirectErrorStream(true);
            pb.environment().remove("AWS_PROFILE");
            pb.environment().remove("AWS_CA_BUNDLE");
            pb.environment().putAll(baseEnv);
            pb.environment().putAll(qmEnv);
            pb.environment().putAll(extraEnv);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            StringBuilder collected = new StringBuilder();
            try (var reader =
                    new java.io.BufferedReader(
                            new java.io.InputStreamReader(
                                    p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    collected.append(line).append('\n');
                    lines.accept(line);
                }
            }
            String out = collected.toString();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in 30 minutes");
            }
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
