package dev.quartermaster.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.contract.HostParam.BUCKET;
import static dev.quartermaster.contract.HostParam.COMPRESSION;
import static dev.quartermaster.contract.HostParam.CONTAINER;
import static dev.quartermaster.contract.HostParam.DATABASE;
import static dev.quartermaster.contract.HostParam.DIGEST;
import static dev.quartermaster.contract.HostParam.EXPECTED_VERSION;
import static dev.quartermaster.contract.HostParam.HOST_NAME;
import static dev.quartermaster.contract.HostParam.KEY;
import static dev.quartermaster.contract.HostParam.PASSWORD_PARAMETER;
import static dev.quartermaster.contract.HostParam.PREVIOUS_DIGEST;
import static dev.quartermaster.contract.HostParam.PREVIOUS_VERSION;

/**
 * The SSM documents the hosts run, as every side sees them: the stack builds each from its script,
 * its parameters (pattern, whether required, default) and its fixed values; the functions build
 * their SendCommand parameters through {@link #call()}; {@code bin/qm}'s local agent runs the same
 * script with the same environment. Site variables (where the app is, how it is proven) are fixed
 * by the stack from cdk.json and by the local agent from its site; the caller never passes them.
 */
public enum HostDocument {
    DUMP(
            "backup-dump.sh",
            "Dump",
            Host.Role.DATABASE,
            "Quartermaster: dump a MariaDB database, compress and checksum it, stream it to S3 staging/ with a manifest "
                    + "(the backup-status function commits it under backups/)",
            Map.of(),
            List.of(),
            required(BUCKET),
            required(KEY),
            required(DATABASE),
            optional(CONTAINER),
            withDefault(COMPRESSION, Setting.BACKUP_COMPRESSION.defaultValue()),
            optional(PASSWORD_PARAMETER)),
    RESTORE(
            "backup-restore.sh",
            "Restore",
            Host.Role.DATABASE,
            "Quartermaster: restore a committed backup: prove its size and sha256 before the import, import it into a scratch "
                    + "database (client in binary mode, no local files), prove its row counts, then swap it in (the live database "
                    + "is untouched by any failure)",
            Map.of("QM_MODE", "restore"),
            List.of(),
            required(BUCKET),
            optional(KEY),
            required(DATABASE),
            optional(CONTAINER),
            optional(PASSWORD_PARAMETER)),
    /**
     * The drill's own document: whatever it is sent, it restores into qm_drill_&lt;database&gt; and
     * never touches the live one.
     */
    DRILL(
            "backup-restore.sh",
            "Drill",
            Host.Role.DATABASE,
            "Quartermaster restore drill: restore a backup into the scratch database qm_drill_<database>, compare row "
                    + "counts, print the evidence, drop the scratch database",
            Map.of("QM_MODE", "drill"),
            List.of(),
            required(BUCKET),
            optional(KEY),
            required(DATABASE),
            optional(CONTAINER),
            optional(PASSWORD_PARAMETER)),
    /** Read-only: the live database's schema fingerprint, for bin/qm rollback's comparison. */
    FINGERPRINT(
            "schema-fingerprint.sh",
            "Fingerprint",
            Host.Role.DATABASE,
            "Quartermaster: print the live database's schema fingerprint (tables, columns, indexes, WordPress db_version); "
                    + "read-only",
            Map.of(),
            List.of(),
            required(DATABASE),
            optional(CONTAINER),
            optional(PASSWORD_PARAMETER)),
    RELEASE(
            "release.sh",
            "Release",
            Host.Role.APP,
            "Quartermaster release: pull a digest, pin it in the compose project, recreate the app with fresh anonymous "
                    + "volumes, prove digest, health and version, roll back by itself on any failure",
            Map.of("QM_MODE", "release", "QM_REGISTRY_LOGIN", "ecr"),
            Site.VARIABLES,
            required(DIGEST),
            required(EXPECTED_VERSION),
            optional(PREVIOUS_DIGEST),
            optional(PREVIOUS_VERSION),
            optional(HOST_NAME)),
    RELEASE_CHECK(
            "release.sh",
            "ReleaseCheck",
            Host.Role.APP,
            "Quartermaster drift check: report which digest the app service runs (changes nothing)",
            Map.of("QM_MODE", "check"),
            Site.VARIABLES),
    /**
     * Read-only, on every host (app and database alike): can the host reach what it needs, and by
     * which address. Resolves each endpoint's name (a private address expected when the hosts are
     * private), logs in to ECR, reads one manifest (HEAD), lists and HEADs the backup bucket's
     * backups/. A line per check.
     */
    HOSTS_CHECK(
            "hosts-check.sh",
            "HostsCheck",
            Host.Role.APP,
            "Quartermaster hosts check (changes nothing): resolve each AWS endpoint the host needs (private addresses "
                    + "expected with private hosts), log in to ECR, read one manifest, read the backup bucket's backups/",
            Map.of(),
            Site.CHECK_VARIABLES,
            optional(DIGEST));

    /**
     * One parameter of one document: required (no default), or optional with a default ("" when it
     * may be empty).
     */
    public record Param(HostParam param, boolean required, String defaultValue) {
        /**
         * The document's allowedPattern: the value pattern, whole; an optional parameter may also
         * be empty.
         */
        public String allowedPattern() {
            String v = param.value().pattern();
            return required || !defaultValue.isEmpty() ? "^(" + v + ")$" : "^(" + v + ")?$";
        }
    }

    /**
     * The release site's variables: fixed in the release documents from cdk.json, never passed by a
     * caller.
     */
    public static final class Site {
        public static final List<String> VARIABLES =
                List.of(
                        "QM_IMAGE_REPO",
                        "QM_PROJECT_DIR",
                        "QM_COMPOSE_FILE",
                        "QM_SERVICE",
                        "QM_HEALTH_URL",
                        "QM_HEALTH_TIMEOUT",
                        "QM_VERSION_FILE",
                        "QM_VERSION_REGEX",
                        "QM_CONTAINER_CLI",
                        "QM_COMPOSE");

        /**
         * The hosts check's: the app's repository and compose project, the backup bucket, the
         * endpoint names to resolve (interface ones, then the S3 gateway's), whether private
         * addresses are expected.
         */
        public static final List<String> CHECK_VARIABLES =
                List.of(
                        "QM_IMAGE_REPO",
                        "QM_PROJECT_DIR",
                        "QM_BACKUP_BUCKET",
                        "QM_ENDPOINTS",
                        "QM_GATEWAY_ENDPOINTS",
                        "QM_EXPECT_PRIVATE");

        /**
         * The release hooks (cdk.json releaseHooks): site variables too, but each only where its
         * hook is set, so a stack without hooks keeps its document as it was.
         */
        public static final List<String> HOOKS =
                List.of("QM_HOOK_BEFORE_SWITCH", "QM_HOOK_AFTER_SWITCH", "QM_HOOK_BEFORE_ROLLBACK");

        private Site() {}
    }

    private final String script;
    private final String localName;
    private final Host.Role role;
    private final String description;
    private final Map<String, String> fixed;
    private final List<String> siteVariables;
    private final List<Param> params;

    HostDocument(
            String script,
            String localName,
            Host.Role role,
            String description,
            Map<String, String> fixed,
            List<String> siteVariables,
            Param... params) {
        this.script = script;
        this.localName = "Quartermaster" + localName;
        this.role = role;
        this.description = description;
        this.fixed =
                Collections.unmodifiableMap(new LinkedHashMap<>(new java.util.TreeMap<>(fixed)));
        this.siteVariables = siteVariables;
        this.params = List.of(params);
    }

    private static Param required(HostParam p) {
        return new Param(p, true, null);
    }

    private static Param optional(HostParam p) {
        return new Param(p, false, "");
    }

    private static Param withDefault(HostParam p, String value) {
        return new Param(p, false, value);
    }

    /** The script under infra/ssm that the document embeds. */
    public String script() {
        return script;
    }

    /**
     * Its name where no stack named it: {@code bin/qm}'s local agent and the functions' local runs.
     */
    public String localName() {
        return localName;
    }

    /** Which host runs it. */
    public Host.Role role() {
        return role;
    }

    public String description() {
        return description;
    }

    /** Variables the document always sets (e.g. QM_MODE=drill), whatever the caller passes. */
    public Map<String, String> fixed() {
        return fixed;
    }

    /** Variables the stack fixes from cdk.json (the release site). */
    public List<String> siteVariables() {
        return siteVariables;
    }

    /**
     * Site variables the stack sets only when cdk.json sets them (the release hooks): none but the
     * release document's.
     */
    public List<String> optionalSiteVariables() {
        return this == RELEASE ? Site.HOOKS : List.of();
    }

    public List<Param> params() {
        return params;
    }

    public static Optional<HostDocument> byLocalName(String name) {
        for (HostDocument d : values()) {
            if (d.localName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The parameters of one SendCommand, checked against the document before anything is sent. */
    public Call call() {
        return new Call(this);
    }

    /**
     * The script's environment for a call's parameters, as the document would export it: each
     * parameter (its default when not passed), then the fixed values. Site variables are the
     * caller's to add.
     */
    public Map<String, String> environment(Map<String, String> ssmParameters) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Param p : params) {
            String v = ssmParameters.get(p.param().ssmName());
            if (v == null) {
                if (p.required()) {
                    throw new IllegalArgumentException(
                            this + " needs the parameter " + p.param().ssmName());
                }
                v = p.defaultValue();
            }
            check(p, v);
            env.put(p.param().envVar(), v);
        }
        for (String name : ssmParameters.keySet()) {
            if (params.stream().noneMatch(p -> p.param().ssmName().equals(name))) {
                throw new IllegalArgumentException(this + " has no parameter " + name);
            }
        }
        env.putAll(fixed);
        return env;
    }

    private void check(Param p, String v) {
        if (!v.matches(p.allowedPattern())) {
            throw new IllegalArgumentException(
                    this
                            + ": "
                            + p.param().ssmName()
                            + "='"
                            + safe(v)
                            + "' does not match "
                            + p.allowedPattern());
        }
    }

    private static String safe(String v) {
        String s = v.length() > 80 ? v.substring(0, 80) + "..." : v;
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }

    /**
     * SendCommand's parameters for one document, each value checked against its pattern as it is
     * added.
     */
    public static final class Call {
        private final HostDocument document;
        private final Map<HostParam, String> values = new EnumMap<>(HostParam.class);

        private Call(HostDocument document) {
            this.document = document;
        }

        public Call with(HostParam p, String value) {
            Param param =
                    document.params.stream()
                            .filter(x -> x.param() == p)
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    document + " has no parameter " + p.ssmName()));
            String v = value == null ? "" : value;
            if (v.isEmpty() && param.required()) {
                throw new IllegalArgumentException(document + " needs " + p.ssmName());
            }
            document.check(param, v.isEmpty() ? param.defaultValue() : v);
            values.put(p, v.isEmpty() ? param.defaultValue() : v);
            return this;
        }

        /** The parameters by their SSM names, in the document's order. */
        public Map<String, String> parameters() {
            Map<String, String> out = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (Param p : document.params) {
                String v = values.get(p.param());
                if (v != null) {
                    out.put(p.param().ssmName(), v);
                } else if (p.required()) {
                    missing.add(p.param().ssmName());
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(
                        document + " needs " + String.join(", ", missing));
            }
            return out;
        }
    }
}
