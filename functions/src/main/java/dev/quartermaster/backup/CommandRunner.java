package dev.quartermaster.backup;

import java.util.Map;

/** Runs one of the project's SSM documents on the hosts that carry a tag (SSM Run Command in AWS). */
public interface CommandRunner {
    /** @return the command id */
    String send(String document, Map<String, String> parameters, String tagKey, String tagValue, String comment);
}
