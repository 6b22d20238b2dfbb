package dev.quartermaster.registry;

/** The registry answered 404: no such manifest, blob or tag. */
public class RegistryNotFoundException extends RegistryException {
    public RegistryNotFoundException(String message) {
        super(message);
    }
}
