/**
 * Text-conditioned video velocity models. Videos are [batch, channels, frames, height, width]; every model
 * is a {@link org.ddrl.diffusion.model.VideoModel}: (x_t, t [B] in [0, 1], caption token embeddings
 * [B, L, D], mask [B, L]) to the velocity, the shape of x_t.
 *
 * <ul>
 *   <li>{@link org.ddrl.diffusion.model.VideoDiT} ({@link org.ddrl.diffusion.model.DiTConfig}): 3D patches,
 *       self-attention over space-time with a 3D rotary embedding, cross-attention to the caption,
 *       adaLN-Zero on the noise level, a zero-initialized output layer.</li>
 *   <li>{@link org.ddrl.diffusion.model.UNet3D} ({@link org.ddrl.diffusion.model.UNetConfig}): Conv3d
 *       ResBlocks with GroupNorm, SiLU and the noise-level embedding; spatial, text and temporal attention
 *       at low resolution; spatial down/up sampling; skip connections; a zero-initialized output conv.</li>
 *   <li>{@link org.ddrl.diffusion.model.TimestepEmbedding}: sinusoids of 1000 t and an MLP, shared by both.</li>
 *   <li>{@link org.ddrl.diffusion.model.TextToVideo}: a model with the text encoder trained alongside it;
 *       {@link org.ddrl.diffusion.model.TextToVideoVelocity} presents it to the samplers.</li>
 * </ul>
 * Both models can recompute their blocks during backward (gradient checkpointing) to save memory.
 */
package org.ddrl.diffusion.model;
