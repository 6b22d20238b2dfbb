package dev.quartermaster.app;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;

import java.lang.reflect.InvocationTargetException;

/**
 * Builds a catalogued function the way Lambda does: the catalogue's handler class, by name. Lambda
 * calls its no-arg constructor (the platform from the function's environment); this calls its
 * platform constructor with a {@link Wiring}'s platform, whose ports bin/qm, the demo and the tests
 * may have replaced. Each handler is wired in one place: that constructor.
 */
public final class Handlers {
    private Handlers() {}

    public static RequestStreamHandler create(String name, Wiring w) {
        FunctionSpec spec =
                Catalog.byName(name)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "unknown function '"
                                                        + name
                                                        + "'; the stack deploys: "
                                                        + String.join(", ", Catalog.names())));
        Platform p = w.platform();
        EventFunction handler;
        try {
            handler =
                    Class.forName(spec.handlerClass())
                            .asSubclass(EventFunction.class)
                            .getConstructor(Platform.class)
                            .newInstance(p);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the handler's own refusal (a setting missing or malformed), as Lambda's
                // init would report it
            }
            throw new IllegalStateException(
                    name + ": " + spec.handlerClass() + " could not be built: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(
                    "the catalogue lists "
                            + name
                            + " as "
                            + spec.handlerClass()
                            + ", which must be an EventFunction with a public constructor taking a Platform: "
                            + e,
                    e);
        }
        return handler.acceptingOnly(p.origin());
    }
}
