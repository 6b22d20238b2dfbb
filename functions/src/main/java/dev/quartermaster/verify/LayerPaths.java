package dev.quartermaster.verify;

import java.util.ArrayDeque;
import java.util.Deque;

/** Entry names as a container runtime applies them: {@code ./a//b/../c/} is {@code a/c}. */
final class LayerPaths {
    private LayerPaths() {}

    /**
     * Cleans {@code .}, {@code ..}, repeated and leading/trailing slashes; {@code ..} never climbs
     * above the root.
     */
    static String clean(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    /** Is {@code entry} a strict parent directory path of {@code target}? */
    static boolean isParentOf(String entry, String target) {
        return !entry.isEmpty()
                && target.length() > entry.length()
                && target.startsWith(entry)
                && target.charAt(entry.length()) == '/';
    }
}
