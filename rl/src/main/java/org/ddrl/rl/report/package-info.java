/**
 * The experiment's outputs: {@link org.ddrl.rl.report.Report#write} puts results.json
 * ({@link org.ddrl.rl.report.ResultsJson}: per arm, every metric's mean, spread and 95% interval over seeds, the
 * per-seed values, Welch tests against the reference arm, config, seeds, wall times and curves) and report.html (the
 * same as a static page that works offline: the table, PNG curves drawn with XChart, a GIF grid per arm for the same
 * prompts and seeds, the wall times and the config) into one folder. Inputs are an
 * {@link org.ddrl.rl.report.ExperimentResult} of {@link org.ddrl.rl.report.ArmResult}s and an optional
 * {@link org.ddrl.rl.report.SampleGrid}. Every file is replaced atomically.
 */
package org.ddrl.rl.report;
