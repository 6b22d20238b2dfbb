package dev.quartermaster.cli.crac;

import java.util.ArrayList;
import java.util.List;

/** The global context and the checkpoint: see the package description. */
public final class Core {
    private static final Global GLOBAL = new Global();

    private Core() {}

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    /** Runs every hook as a snapshot then a restore would; any hook's failure is thrown. */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        List<Resource> resources = GLOBAL.snapshot();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).beforeCheckpoint(GLOBAL);
            } catch (Exception | LinkageError e) {
                throw new CheckpointException(
                        "before-checkpoint hook " + resources.get(i) + " failed: " + e, e);
            }
        }
        for (Resource r : resources) {
            try {
                r.afterRestore(GLOBAL);
            } catch (Exception | LinkageError e) {
                throw new RestoreException("after-restore hook " + r + " failed: " + e, e);
            }
        }
    }

    /** How many hooks are registered (the probe reports it). */
    public static int registered() {
        return GLOBAL.snapshot().size();
    }

    private static final class Global extends Context<Resource> {
        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        synchronized List<Resource> snapshot() {
            return List.copyOf(resources);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("the global context is not a resource");
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            throw new UnsupportedOperationException("the global context is not a resource");
        }
    }
}
