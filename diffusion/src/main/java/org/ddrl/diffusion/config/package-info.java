/**
 * Typed configs of a pre-training run, read from YAML or JSON: {@link org.ddrl.diffusion.config.PretrainConfig} with
 * its model, data, train and sample sections. Fields a file leaves out take the values of the embedded tiny
 * experiment config ({@code pretrain-tiny.yaml}, which documents every field); unknown fields, wrong types and
 * out-of-range values are {@link org.ddrl.diffusion.config.ConfigException}s that name the field's path.
 */
package org.ddrl.diffusion.config;
