package org.ddrl.rl.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The experiment's outputs in one folder: results.json ({@link ResultsJson}) and report.html with its charts/ and
 * gifs/ folders. Every file is replaced atomically, so the folder can be watched while a run rewrites it.
 */
public final class Report {
    public static final String RESULTS_FILE = "results.json";

    private Report() {}

    /** Writes both outputs under {@code dir} (created if missing) and returns the path of report.html; {@code grid} may be null. */
    public static Path write(Path dir, ExperimentResult result, SampleGrid grid) throws IOException {
        Files.createDirectories(dir);
        ResultsJson.write(dir.resolve(RESULTS_FILE), result);
        return ReportHtml.write(dir, result, grid);
    }
}
