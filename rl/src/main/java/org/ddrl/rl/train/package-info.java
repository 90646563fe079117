/**
 * The RL loop, {@link org.ddrl.rl.train.RlTrainer}: prompts ({@link org.ddrl.rl.train.PromptSource}: a video dataset,
 * plain captions, or {@link org.ddrl.rl.train.SyntheticAnchors} sampled once from the base model), group rollouts with
 * a recording sampler, rewards, advantages, PPO updates on the chosen steps ({@link org.ddrl.rl.train.TrainSteps}) with
 * the arm's extra term, gradient accumulation into one optimizer step per rollout batch and inner epoch, EMA, and one
 * metrics line per iteration ({@link org.ddrl.rl.train.MetricsLog}).
 */
package org.ddrl.rl.train;
