package dev.quartermaster.cli.crac;

/** What org.crac registers (through a proxy): the CRaC resource contract. */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
