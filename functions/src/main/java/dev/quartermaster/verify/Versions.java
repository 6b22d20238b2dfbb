package dev.quartermaster.verify;

/**
 * Does a found version keep a tag's promise? A promise of one or two parts is a prefix
 * ({@code 6.4} holds for {@code 6.4.3}, not for {@code 6.5.5} nor {@code 6.40.1}); a promise of three
 * or more parts must match exactly ({@code 6.4.3} holds only for {@code 6.4.3}).
 */
public final class Versions {
    private Versions() {
    }

    public static boolean keeps(String promised, String found) {
        if (promised == null || found == null) {
            return false;
        }
        String[] p = promised.trim().split("\\.");
        String[] f = found.trim().split("\\.");
        if (p.length >= 3) {
            return promised.trim().equals(found.trim());
        }
        if (f.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals(f[i])) {
                return false;
            }
        }
        return true;
    }
}
