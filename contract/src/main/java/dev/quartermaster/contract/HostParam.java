package dev.quartermaster.contract;

import java.util.regex.Pattern;

/**
 * A parameter of the host documents: the name SSM knows it by, the environment variable the script
 * reads, and the pattern a value must match. The pattern admits no quote, space or shell
 * metacharacter: a value reaches the script inside single quotes and can never become shell code.
 * No parameter carries a password.
 */
public enum HostParam {
    BUCKET("bucket", "QM_BUCKET", "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "Backup bucket"),
    KEY(
            "key",
            "QM_KEY",
            "[A-Za-z0-9][A-Za-z0-9/_.:-]{0,500}",
            "Object key under backups/, e.g. backups/wordpress/2026/11/23/20261123T030000Z.sql.zst"),
    DATABASE("database", "QM_DATABASE", "[A-Za-z0-9_]{1,64}", "Database"),
    CONTAINER(
            "container",
            "QM_CONTAINER",
            "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
            "Container running MariaDB (empty: MariaDB on the host)"),
    COMPRESSION("compression", "QM_COMPRESSION", "gzip|zstd", "zstd or gzip"),
    PASSWORD_PARAMETER(
            "passwordParameter",
            "QM_PASSWORD_PARAMETER",
            "/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*",
            "Host mode only: name of an SSM SecureString the host reads the database password from (never the password itself)"),
    DIGEST("digest", "QM_DIGEST", "sha256:[a-f0-9]{64}", "the digest to release"),
    EXPECTED_VERSION(
            "expectedVersion",
            "QM_EXPECTED_VERSION",
            "[0-9A-Za-z.+-]{1,64}",
            "the version the ledger found inside it"),
    PREVIOUS_DIGEST(
            "previousDigest",
            "QM_PREVIOUS_DIGEST",
            "sha256:[a-f0-9]{64}",
            "the last good release (empty: read from the host)"),
    PREVIOUS_VERSION(
            "previousVersion", "QM_PREVIOUS_VERSION", "[0-9A-Za-z.+-]{1,64}", "its version"),
    HOST_NAME(
            "hostName",
            "QM_HOST_NAME",
            Host.NAME.pattern(),
            "the host's name in Quartermaster's hosts (what the release hooks see)");

    private final String ssmName;
    private final String envVar;
    private final Pattern value;
    private final String description;

    HostParam(String ssmName, String envVar, String value, String description) {
        this.ssmName = ssmName;
        this.envVar = envVar;
        this.value = Pattern.compile(value);
        this.description = description;
    }

    /** The parameter's name in the SSM document (what SendCommand passes). */
    public String ssmName() {
        return ssmName;
    }

    /** The variable the host script reads. */
    public String envVar() {
        return envVar;
    }

    /** What a non-empty value must match, whole. */
    public Pattern value() {
        return value;
    }

    public String description() {
        return description;
    }
}
