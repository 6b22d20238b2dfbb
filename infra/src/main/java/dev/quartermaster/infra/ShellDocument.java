package dev.quartermaster.infra;

import dev.quartermaster.contract.HostDocument;
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
 * caller passes can become shell code. No parameter ever carries a password. What each document is
 * (script, parameters, fixed values) is {@link HostDocument}'s, shared with the functions and the
 * local agent.
 */
public final class ShellDocument extends Construct {
    private final CfnDocument document;

    /**
     * @param document what the document is (its script, parameters, fixed values), as the contract
     *     defines it for every side
     * @param site the values of the document's site variables (where the app is, how it is proven),
     *     from cdk.json
     */
    public ShellDocument(
            Construct scope,
            String id,
            HostDocument document,
            Map<String, String> site,
            int timeoutSeconds) {
        super(scope, id);
        if (timeoutSeconds < 1 || timeoutSeconds > 172800) {
            throw new IllegalArgumentException(
                    "timeoutSeconds must be 1..172800 (SSM's limit), not " + timeoutSeconds);
        }
        List<String> known = new ArrayList<>(document.siteVariables());
        known.addAll(document.optionalSiteVariables());
        if (!site.keySet().containsAll(document.siteVariables())
                || !known.containsAll(site.keySet())) {
            throw new IllegalArgumentException(
                    document
                            + " needs exactly the site variables "
                            + document.siteVariables()
                            + (document.optionalSiteVariables().isEmpty()
                                    ? ""
                                    : " (and may have " + document.optionalSiteVariables() + ")")
                            + ", not "
                            + site.keySet());
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        lines.add("#!/bin/bash");
        for (HostDocument.Param p : document.params()) {
            Map<String, Object> def = new LinkedHashMap<>();
            def.put("type", "String");
            def.put("description", p.param().description());
            def.put("allowedPattern", p.allowedPattern());
            if (!p.required()) {
                def.put("default", p.defaultValue());
            }
            parameters.put(p.param().ssmName(), def);
            lines.add("export " + p.param().envVar() + "='{{ " + p.param().ssmName() + " }}'");
        }
        Map<String, String> fixed = new LinkedHashMap<>(document.fixed());
        site.keySet().stream()
                .sorted(java.util.Comparator.comparing(known::indexOf))
                .forEach(k -> fixed.put(k, site.get(k)));
        fixed.forEach(
                (k, v) -> {
                    // single-quoted in the script: any printable character but the quote itself; no
                    // {{ }}, which SSM would expand
                    if (!k.matches("QM_[A-Z_]+")
                            || !v.matches("[\\x20-\\x7E&&[^']]*")
                            || v.contains("{{")
                            || v.contains("}}")) {
                        throw new IllegalArgumentException(
                                "fixed variable "
                                        + k
                                        + "="
                                        + v
                                        + " must be QM_NAME=printable text without ' or {{ }}");
                    }
                    lines.add("export " + k + "='" + v + "'");
                });
        // the script is an argument, not stdin: docker exec -i and mariadb inside it must not eat
        // it
        lines.add("qm_script=$(cat <<'QM_SCRIPT_END'");
        for (String line : readScript(document.script()).lines().toList()) {
            // the library the script sources from a file is inlined: the document carries one whole
            // script
            int include = line.indexOf("# @include ");
            if (include >= 0) {
                lines.addAll(
                        readScript(line.substring(include + "# @include ".length()).trim())
                                .lines()
                                .toList());
            } else {
                lines.add(line);
            }
        }
        lines.add("QM_SCRIPT_END");
        lines.add(")");
        lines.add("exec bash -c \"$qm_script\" qm-script");
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("schemaVersion", "2.2");
        content.put("description", document.description());
        content.put("parameters", parameters);
        content.put(
                "mainSteps",
                List.of(
                        Map.of(
                                "action",
                                "aws:runShellScript",
                                "name",
                                "run",
                                "precondition",
                                Map.of("StringEquals", List.of("platformType", "Linux")),
                                "inputs",
                                Map.of(
                                        "runCommand",
                                        lines,
                                        "timeoutSeconds",
                                        String.valueOf(timeoutSeconds)))));
        this.document =
                CfnDocument.Builder.create(this, "Resource")
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
                throw new IllegalStateException(
                        "script ssm/"
                                + name
                                + " is not on the classpath; build the infra module (mvn -pl infra package)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
