package org.ddrl.rl.judge;

/**
 * The numbers of an evaluation that the trainer measures and hands to the judge: the proxy reward of the evaluation
 * videos, the diffusion loss on held-out real videos, and the reverse KL to the frozen base model on the policy's own
 * states. NaN where the trainer did not measure one.
 */
public record TrainerMetrics(double proxyReward, double heldoutDiffusionLoss, double reverseKl) {}
