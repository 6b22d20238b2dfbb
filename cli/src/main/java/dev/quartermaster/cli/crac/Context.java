package dev.quartermaster.cli.crac;

/** A CRaC context: resources registered with it are notified around the checkpoint. */
public abstract class Context<R extends Resource> implements Resource {
    public abstract void register(R resource);
}
