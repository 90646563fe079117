package org.ddrl.rl.experiment;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run as log lines: the share of work done, the time elapsed and the estimated time left, from the
 * measured time per unit of work so far (an iteration or an evaluation each count as one unit).
 */
final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final double total;
    private double done;

    Progress(PrintStream out, double totalUnits) {
        this.out = out;
        this.total = totalUnits;
    }

    void advance(double units) {
        done = Math.min(total, done + units);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** "37% done, elapsed 2m05s, ETA 3m31s". */
    String status() {
        double elapsed = elapsedSeconds();
        String eta = done <= 0 ? "unknown" : clock(elapsed / done * (total - done));
        return String.format(Locale.ROOT, "%.0f%% done, elapsed %s, ETA %s", 100 * done / total, clock(elapsed), eta);
    }

    void log(String prefix, String message) {
        out.println(prefix + " " + message + " | " + status());
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
