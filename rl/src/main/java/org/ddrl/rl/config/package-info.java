/**
 * Run configuration as records, read from JSON or YAML by {@link org.ddrl.rl.config.ConfigLoader}: snake_case names,
 * each algorithm's reference recipe as the defaults ({@link org.ddrl.rl.config.RlConfig#preset}), typed sections
 * (sampler, reward terms) with per-type defaults, unknown fields rejected, and validation errors that name the
 * field's path. Every field is documented on its record.
 */
package org.ddrl.rl.config;
