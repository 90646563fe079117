package org.ddrl.diffusion.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the problems of a config, each under its field's path, so that one error can report them all. */
final class ConfigErrors {
    private final List<String> errors = new ArrayList<>();

    void add(String path, String message) {
        errors.add(path + ": " + message);
    }

    int count() {
        return errors.size();
    }

    List<String> list() {
        return List.copyOf(errors);
    }

    void throwIfAny(String source) {
        if (!errors.isEmpty()) throw new ConfigException(source, errors);
    }

    /** The section object itself must be there; false (after recording the error) when it is not. */
    boolean present(String path, Object section) {
        if (section == null) add(path, "missing (must be an object)");
        return section != null;
    }

    void atLeast(String path, long value, long min) {
        if (value < min) add(path, "must be >= " + min + ", got " + value);
    }

    void positive(String path, double value) {
        if (!(value > 0) || Double.isInfinite(value)) add(path, "must be > 0 and finite, got " + num(value));
    }

    void nonNegative(String path, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) add(path, "must be >= 0 and finite, got " + num(value));
    }

    void finite(String path, double value) {
        if (!Double.isFinite(value)) add(path, "must be a finite number, got " + num(value));
    }

    /** lo <= value <= hi, or lo <= value < hi when hiOpen. */
    void inRange(String path, double value, double lo, double hi, boolean hiOpen) {
        boolean ok = value >= lo && (hiOpen ? value < hi : value <= hi);
        if (!ok) add(path, "must be in [" + num(lo) + ", " + num(hi) + (hiOpen ? ")" : "]") + ", got " + num(value));
    }

    /** Whether the value is one of the allowed words; records the error when it is not. */
    boolean oneOf(String path, String value, List<String> allowed) {
        if (value != null && allowed.contains(value)) return true;
        add(path, "must be one of " + allowed + ", got " + (value == null ? "nothing" : "\"" + value + "\""));
        return false;
    }

    /** A number as a person writes it: -1 rather than -1.0. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
