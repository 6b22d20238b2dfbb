package dev.quartermaster.testutils;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.testkit.LocalContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Calls a stream handler the way the Lambda runtime does and reads back its JSON result. */
public final class Invoke {
    private Invoke() {}

    public static JsonNode handler(RequestStreamHandler handler, byte[] event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(
                    new ByteArrayInputStream(event), out, new LocalContext("test", 30));
            return EventParser.JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode handler(RequestStreamHandler handler, String fixture) {
        return handler(handler, Fixtures.event(fixture));
    }
}
