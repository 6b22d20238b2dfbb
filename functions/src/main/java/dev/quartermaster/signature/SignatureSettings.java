package dev.quartermaster.signature;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;

import java.io.IOException;
import java.util.List;

/**
 * The signature gate's settings, read without its verifier: the release functions need which
 * repositories require a SIGNED verdict, not the JWS library (their jar carries none; only
 * image-verify's does).
 */
public final class SignatureSettings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SignatureSettings() {}

    /** The repository patterns whose releases need a SIGNED verdict. */
    public static List<String> required(Settings s) {
        return list(s, Setting.SIGNATURE_REQUIRED);
    }

    /** Whether the gate runs: signing managed, or a repository requires signatures. */
    public static boolean enabled(Settings s) {
        return "managed".equals(s.get(Setting.SIGNING))
                || !list(s, Setting.SIGNATURE_REQUIRED).isEmpty();
    }

    static List<String> list(Settings s, Setting setting) {
        String v = s.get(setting);
        if (v.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(v, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new IllegalStateException(
                    setting.name()
                            + " must be a JSON list of strings, not "
                            + dev.quartermaster.common.Text.oneLine(v, 80),
                    e);
        }
    }
}
