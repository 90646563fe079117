package org.ddrl.rl.config;

/**
 * Validation of config values. Messages start with the field's name as written in config files (snake_case);
 * {@link ConfigLoader} prefixes the path of the enclosing section, so errors read "optimizer.lr: must be > 0, got -1".
 */
final class Checks {
    private Checks() {}

    static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) fail(field, "must be finite and > 0, got " + v);
    }

    static void positive(String field, long v) {
        if (v < 1) fail(field, "must be >= 1, got " + v);
    }

    static void atLeast(String field, double v, double min) {
        if (!(v >= min) || Double.isInfinite(v)) fail(field, "must be finite and >= " + min + ", got " + v);
    }

    static void atLeast(String field, long v, long min) {
        if (v < min) fail(field, "must be >= " + min + ", got " + v);
    }

    static void range(String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) fail(field, "must be in [" + lo + ", " + hi + "], got " + v);
    }

    static void openUnit(String field, double v) {
        if (!(v > 0 && v < 1)) fail(field, "must be in (0, 1), got " + v);
    }

    static void finite(String field, double v) {
        if (!Double.isFinite(v)) fail(field, "must be finite, got " + v);
    }

    static <T> T present(String field, T v) {
        if (v == null) fail(field, "is required");
        return v;
    }

    static void fail(String field, String message) {
        throw new IllegalArgumentException(field + ": " + message);
    }
}
