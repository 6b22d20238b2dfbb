package dev.quartermaster.contract.options;

import java.util.List;

/**
 * The whole configuration, one typed slice per capability, read and checked in one place from an
 * {@link OptionSource}: by the stack (the CDK node's context) and by {@code bin/qm} (cdk.json and
 * {@code -c key=value}) alike. Every problem is reported at once, each with its fix; a key no
 * declaration names is one of them.
 */
public final class Configuration {
    private final List<Option<?>> declared;
    private final OptionSource source;
    private final EstateOptions estate;
    private final HostOptions hosts;
    private final PrivateHostsOptions privateHosts;
    private final BackupOptions backups;
    private final ArchiveOptions archive;
    private final ReleaseOptions release;
    private final LifecycleOptions lifecycle;
    private final SigningOptions signing;
    private final ImageCheckOptions checks;
    private final OperationsOptions operations;
    private final UpkeepOptions upkeep;
    private final AppOptions app;

    private Configuration(List<Option<?>> declared, OptionSource source, Problems problems) {
        this.declared = List.copyOf(declared);
        this.source = source;
        source.unknownKeys(declared).forEach(problems::add);
        this.estate = EstateOptions.read(source, problems);
        this.hosts = HostOptions.read(source, problems);
        this.privateHosts = PrivateHostsOptions.read(source, problems);
        this.backups = BackupOptions.read(source, problems);
        this.archive = ArchiveOptions.read(source, problems);
        this.release = ReleaseOptions.read(source, problems, estate.repositories());
        this.lifecycle = LifecycleOptions.read(source, problems);
        this.signing = SigningOptions.read(source, problems, estate.repositories());
        this.checks = ImageCheckOptions.read(source, problems);
        this.operations = OperationsOptions.read(source, problems);
        this.upkeep = UpkeepOptions.read(source, problems);
        this.app = AppOptions.read(source, problems);
    }

    /**
     * Reads and checks every slice.
     *
     * @throws Problems.InvalidConfiguration naming every problem and its fix
     */
    public static Configuration read(OptionSource source) {
        return read(source, Options.ALL);
    }

    /**
     * As {@link #read(OptionSource)}, with {@code declared} the options that exist (a test declares
     * one more).
     */
    public static Configuration read(OptionSource source, List<Option<?>> declared) {
        Problems problems = new Problems();
        Configuration c = read(source, declared, problems);
        problems.throwIfAny();
        return c;
    }

    /**
     * Reads every slice, adding each problem to {@code problems} (the caller adds its own, then
     * throws once).
     */
    public static Configuration read(
            OptionSource source, List<Option<?>> declared, Problems problems) {
        return new Configuration(declared, source, problems);
    }

    /** The value of a declared option, checked. */
    public <T> T get(Option<T> option) {
        if (!declared.contains(option)) {
            throw new IllegalArgumentException("option " + option.key() + " is not declared");
        }
        Problems problems = new Problems();
        T value = option.read(source, problems);
        problems.throwIfAny();
        return value;
    }

    public EstateOptions estate() {
        return estate;
    }

    /** The managed repositories (the estate's). */
    public List<String> repositories() {
        return estate.repositories();
    }

    public HostOptions hosts() {
        return hosts;
    }

    /** The hosts' VPC when they are private ({@link PrivateHostsOptions#NONE} when not). */
    public PrivateHostsOptions privateHosts() {
        return privateHosts;
    }

    public BackupOptions backups() {
        return backups;
    }

    public ArchiveOptions archive() {
        return archive;
    }

    /**
     * The upkeep state machines' Distributed Maps (the archive's reconcile, scrub and prune, the
     * replication backfill).
     */
    public UpkeepOptions upkeep() {
        return upkeep;
    }

    public ReleaseOptions release() {
        return release;
    }

    public LifecycleOptions lifecycle() {
        return lifecycle;
    }

    public SigningOptions signing() {
        return signing;
    }

    public ImageCheckOptions checks() {
        return checks;
    }

    public OperationsOptions operations() {
        return operations;
    }

    public AppOptions app() {
        return app;
    }
}
