/**
 * The paper's experiment in miniature (docs/EXPERIMENT.md) behind {@code ddrl experiment} and {@code ddrl demo}:
 * {@link org.ddrl.rl.experiment.ExperimentConfig} (YAML over the documented embedded defaults experiment.yaml, and
 * demo.yaml for the demo), the {@link org.ddrl.rl.experiment.Arm}s, the {@link org.ddrl.rl.experiment.BaseModel} every
 * arm starts from (by default the tiny checkpoint shipped as a resource), and
 * {@link org.ddrl.rl.experiment.ExperimentRunner}, which trains the reward's classifier and the judge's feature network
 * (or loads them from the output directory's cache), runs every arm for every seed with the same evaluations, and
 * writes results.json, report.html and results.md ({@link org.ddrl.rl.experiment.ResultsMarkdown}).
 */
package org.ddrl.rl.experiment;
