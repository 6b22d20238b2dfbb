package dev.quartermaster.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The upkeep runs: per-item work over the whole archive (or estate) fanned out by a Step Functions
 * state machine with a Distributed Map, as both sides see them. Each run is one job's function
 * called three ways (see {@link UpkeepMachine}):
 *
 * <ol>
 *   <li>{@code plan}: list the work and write it, packed into units by bytes, as the JSON array
 *       each map's ItemReader reads ({@link #itemsKey}); answer where the items are and where the
 *       results go;
 *   <li>{@code batch}: one child execution of a map: today's per-item work over the units the
 *       ItemBatcher put in its {@code Items}; the answer (the function's outcome) is what the map's
 *       ResultWriter writes;
 *   <li>{@code fold}: read the ResultWriter's files and turn them into today's records, metrics and
 *       alerts.
 * </ol>
 *
 * The keys of one run live under {@code upkeep/runs/<job>/<run>/} of the archive bucket: the plan
 * writes the items there, Step Functions writes the results there, the fold reads them (and nothing
 * outside that run's folder).
 */
public enum Upkeep {
    /**
     * The weekly scrub: re-hash the blobs (by bytes), then check every archived image is complete.
     */
    ARCHIVE_SCRUB(
            "archive-scrub",
            Catalog.ARCHIVE_SCRUB,
            "cron(0 5 ? * SAT *)",
            List.of(
                    new MapSpec("Rehash", 256L << 20, 256, 8),
                    new MapSpec("Check", Long.MAX_VALUE, 50, 4))),
    /**
     * The daily reconcile: archive what the managed repositories hold and the archive lacks (by the
     * images' bytes).
     */
    ARCHIVE_RECONCILE(
            "archive-reconcile",
            Catalog.IMAGE_ARCHIVE,
            "cron(30 2 * * ? *)",
            List.of(new MapSpec("Archive", 256L << 20, 25, 4))),
    /**
     * The weekly prune: its mark (what every index entry reaches) fanned out; the sweep is the
     * fold's.
     */
    ARCHIVE_PRUNE(
            "archive-prune",
            Catalog.ARCHIVE_PRUNE,
            "cron(0 6 ? * SAT *)",
            List.of(new MapSpec("Mark", Long.MAX_VALUE, 100, 4))),
    /**
     * The replication backfill, on demand (no schedule; deployed when replication is on): copy by
     * digest what a destination lacks, by the images' bytes. The execution's input may name one
     * destination ({@code detail.destination}).
     */
    REPLICATION_BACKFILL(
            "replication-backfill",
            Catalog.REPLICATION_BACKFILL,
            null,
            List.of(new MapSpec("Copy", 256L << 20, 25, 4)));

    /** Where every run's files live, in the archive bucket. */
    public static final String PREFIX = "upkeep/runs/";

    /**
     * Step Functions' limit on a batch's input is 256 KiB; the BatchInput rides along, so the items
     * keep below this.
     */
    public static final int MAX_INPUT_BYTES_PER_BATCH = 240_000;

    /**
     * A run's name in keys: the plan derives it from the execution's name (see {@link #runName}).
     */
    public static final Pattern RUN = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}");

    /** The step a payload asks for. */
    public enum Step {
        PLAN,
        BATCH,
        FOLD
    }

    /** The payload's field names (the state machine writes them, the function reads them). */
    public static final String FIELD_UPKEEP = "upkeep";

    public static final String FIELD_STEP = "step";
    public static final String FIELD_MAP = "map";
    public static final String FIELD_RUN = "run";
    public static final String FIELD_EXECUTION = "execution";
    public static final String FIELD_ITEMS = "Items";

    /** An entry of {@code Items}: the plan's unit, as the map's ItemSelector wraps it. */
    public static final String FIELD_UNIT = "unit";

    public static final String FIELD_PLAN = "plan";
    public static final String FIELD_RESULTS = "results";

    /**
     * One Distributed Map of a job: the plan packs its items into units of at most {@code
     * unitBytes} of work (a single item heavier than that is a unit of its own) and at most {@code
     * unitItems} items; the ItemBatcher gives each child execution {@code unitsPerBatch} units. So
     * a batch holds at most {@link #batchBytes()} bytes of work.
     *
     * @param label the map's Label (child executions are named after it; 40 characters at most,
     *     letters and digits)
     */
    public record MapSpec(String label, long unitBytes, int unitItems, int unitsPerBatch) {
        public MapSpec {
            if (!label.matches("[A-Za-z][A-Za-z0-9]{0,39}")) {
                throw new IllegalArgumentException(
                        "a map's Label is letters and digits, 40 at most: " + label);
            }
            if (unitBytes < 1 || unitItems < 1 || unitsPerBatch < 1) {
                throw new IllegalArgumentException(
                        label + ": unit bytes, unit items and units per batch must be positive");
            }
        }

        /** The most work (bytes) one batch holds, but for a single item heavier than a unit. */
        public long batchBytes() {
            return unitBytes == Long.MAX_VALUE ? Long.MAX_VALUE : unitBytes * unitsPerBatch;
        }

        /** The most items one batch holds. */
        public int batchItems() {
            return unitItems * unitsPerBatch;
        }
    }

    private final String name;
    private final FunctionSpec function;
    private final String schedule;
    private final List<MapSpec> maps;

    Upkeep(String name, FunctionSpec function, String schedule, List<MapSpec> maps) {
        this.name = name;
        this.function = function;
        this.schedule = schedule;
        this.maps = List.copyOf(maps);
    }

    /** The job's name: in payloads, keys, the state machine's name ({@code <stack>-<name>}). */
    public String jobName() {
        return name;
    }

    /** The function that plans, runs the batches and folds. */
    public FunctionSpec function() {
        return function;
    }

    /**
     * When the schedule starts the state machine (EventBridge's cron, UTC); null: on demand only.
     */
    public String schedule() {
        return schedule;
    }

    /** The maps, in the order the state machine runs them. */
    public List<MapSpec> maps() {
        return maps;
    }

    public MapSpec map(String label) {
        return maps.stream()
                .filter(m -> m.label().equals(label))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        name
                                                + " has no map "
                                                + label
                                                + " (it has "
                                                + maps.stream().map(MapSpec::label).toList()
                                                + ")"));
    }

    public static Optional<Upkeep> byName(String name) {
        return Arrays.stream(values()).filter(u -> u.name.equals(name)).findFirst();
    }

    /** The folder of one run's files. */
    public String runFolder(String run) {
        if (!RUN.matcher(run).matches()) {
            throw new IllegalArgumentException(
                    "'" + run + "' is not a run name (" + RUN.pattern() + ")");
        }
        return PREFIX + name + "/" + run + "/";
    }

    /** The JSON array a map's ItemReader reads: the plan writes it. */
    public String itemsKey(String run, String label) {
        return runFolder(run) + map(label).label() + "-items.json";
    }

    /**
     * The prefix a map's ResultWriter writes under: Step Functions adds {@code /<map run
     * id>/manifest.json} and the result files.
     */
    public String resultsPrefix(String run, String label) {
        return runFolder(run) + map(label).label();
    }

    /**
     * A run's name from the execution's: the start time (UTC, seconds) and 12 hex of the name's
     * sha256, so a redriven execution keeps its run and its keys stay within what a key may hold
     * whatever the execution was named.
     */
    public static String runName(String executionName, java.time.Instant started) {
        try {
            byte[] h =
                    java.security.MessageDigest.getInstance("SHA-256")
                            .digest(
                                    executionName.getBytes(
                                            java.nio.charset.StandardCharsets.UTF_8));
            String hex = java.util.HexFormat.of().formatHex(h).substring(0, 12);
            String at =
                    java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                            .withZone(java.time.ZoneOffset.UTC)
                            .format(started);
            return at + "-" + hex;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
