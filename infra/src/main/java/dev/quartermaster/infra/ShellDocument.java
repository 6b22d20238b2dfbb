package dev.quartermaster.infra;

import software.amazon.awscdk.services.ssm.CfnDocument;
import software.constructs.Construct;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SSM Command document that runs one of the project's shell scripts (infra/ssm/*.sh, embedded at
 * synth) on the host. Every parameter has an allowedPattern that admits no quote, space or shell
 * metacharacter, and reaches the script as an environment variable inside single quotes: nothing a
 * caller passes can become shell code. No parameter ever carries a password.
 */
public final class ShellDocument extends Construct {
    private final CfnDocument document;

    /** One document parameter: its env var name in the script, pattern, default and description. */
    public record Param(String name, String envVar, String allowedPattern, String defaultValue, String description) {
    }

    /**
     * {@code script}: a file under infra/ssm (embedded at synth, {@code # @include} lines inlined);
     * {@code fixed}: variables the document always sets, whatever the caller passes (e.g. QM_MODE=drill).
     */
    public record Props(String script, String description, List<Param> params, Map<String, String> fixed, int timeoutSeconds) {
        public Props {
            if (script == null || description == null) {
                throw new IllegalArgumentException("a ShellDocument needs a script (infra/ssm/<name>.sh) and a description");
            }
            if (timeoutSeconds < 1 || timeoutSeconds > 172800) {
                throw new IllegalArgumentException("timeoutSeconds must be 1..172800 (SSM's limit), not " + timeoutSeconds);
            }
            params = List.copyOf(params);
            fixed = Map.copyOf(fixed);
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private String script;
            private String description;
            private final List<Param> params = new ArrayList<>();
            private final Map<String, String> fixed = new LinkedHashMap<>();
            private int timeoutSeconds = 3600;

            public Builder script(String v) { this.script = v; return this; }
            public Builder description(String v) { this.description = v; return this; }
            public Builder param(Param v) { this.params.add(v); return this; }
            public Builder params(List<Param> v) { this.params.addAll(v); return this; }
            public Builder fixed(String envVar, String value) { this.fixed.put(envVar, value); return this; }
            /** Default: one hour. */
            public Builder timeoutSeconds(int v) { this.timeoutSeconds = v; return this; }

            public Props build() {
                return new Props(script, description, params, fixed, timeoutSeconds);
            }
        }
    }

    public ShellDocument(Construct scope, String id, Props props) {
        super(scope, id);
        String script = props.script();
        String description = props.description();
        List<Param> params = props.params();
        Map<String, String> fixed = props.fixed();
        int timeoutSeconds = props.timeoutSeconds();
        Map<String, Object> parameters = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        for (Param p : params) {
            Map<String, Object> def = new LinkedHashMap<>();
            def.put("type", "String");
            def.put("description", p.description());
            def.put("allowedPattern", p.allowedPattern());
            if (p.defaultValue() != null) {
                def.put("default", p.defaultValue());
            }
            parameters.put(p.name(), def);
            lines.add("export " + p.envVar() + "='{{ " + p.name() + " }}'");
        }
        fixed.forEach((k, v) -> {
            // single-quoted in the script: any printable character but the quote itself; no {{ }}, which SSM would expand
            if (!k.matches("QM_[A-Z_]+") || !v.matches("[\\x20-\\x7E&&[^']]*") || v.contains("{{") || v.contains("}}")) {
                throw new IllegalArgumentException("fixed variable " + k + "=" + v + " must be QM_NAME=printable text without ' or {{ }}");
            }
            lines.add("export " + k + "='" + v + "'");
        });
        // the script is an argument, not stdin: docker exec -i and mariadb inside it must not eat it
        lines.add("qm_script=$(cat <<'QM_SCRIPT_END'");
        for (String line : readScript(script).lines().toList()) {
            // the library the script sources from a file is inlined: the document carries one whole script
            int include = line.indexOf("# @include ");
            if (include >= 0) {
                lines.addAll(readScript(line.substring(include + "# @include ".length()).trim()).lines().toList());
            } else {
                lines.add(line);
            }
        }
        lines.add("QM_SCRIPT_END");
        lines.add(")");
        lines.add("exec bash -c \"$qm_script\" qm-script");
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("schemaVersion", "2.2");
        content.put("description", description);
        content.put("parameters", parameters);
        content.put("mainSteps", List.of(Map.of(
                "action", "aws:runShellScript",
                "name", "run",
                "precondition", Map.of("StringEquals", List.of("platformType", "Linux")),
                "inputs", Map.of("runCommand", lines, "timeoutSeconds", String.valueOf(timeoutSeconds)))));
        this.document = CfnDocument.Builder.create(this, "Resource")
                .documentType("Command")
                .documentFormat("JSON")
                .content(content)
                .updateMethod("NewVersion")
                .build();
    }

    /** The document's name (what SendCommand and the SSM status events use). */
    public String name() {
        return document.getRef();
    }

    public CfnDocument document() {
        return document;
    }

    static String readScript(String name) {
        try (InputStream in = ShellDocument.class.getResourceAsStream("/ssm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("script ssm/" + name + " is not on the classpath; build the infra module (mvn -pl infra package)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
