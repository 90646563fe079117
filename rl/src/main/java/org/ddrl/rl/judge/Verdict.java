package org.ddrl.rl.judge;

/**
 * What the judge found about one video: whether the attribute detector recovered all of the prompt's attributes, and
 * its realism distance (Mahalanobis distance of its features to the real videos' Gaussian, {@link GaussianFit}).
 */
public record Verdict(boolean correct, double realismDistance) {}
