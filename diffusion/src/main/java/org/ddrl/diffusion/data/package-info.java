/**
 * Videos to train and judge on: tensors [3, frames, height, width] (batched [B, 3, frames, height, width]), F32 with
 * values in [-1, 1].
 *
 * <ul>
 *   <li>{@link org.ddrl.diffusion.data.MovingShapes}: the experiment's synthetic data, one object of a named
 *       {@link org.ddrl.diffusion.data.Colour} and {@link org.ddrl.diffusion.data.Shape} moving in a
 *       {@link org.ddrl.diffusion.data.Direction}, captioned "a red circle moving left"; deterministic per (seed,
 *       split, index); train, validation and held-out-combination {@link org.ddrl.diffusion.data.Split}s; sizes in
 *       {@link org.ddrl.diffusion.data.MovingShapesConfig}.</li>
 *   <li>{@link org.ddrl.diffusion.data.AttributeDetector}: reads colour, shape and direction back from a video by
 *       measurement alone; the judge of samples.</li>
 *   <li>{@link org.ddrl.diffusion.data.VideoDataset}: a user's own videos from PNG frames, .npy or safetensors.</li>
 *   <li>{@link org.ddrl.diffusion.data.BatchIterator}: shuffled batches of any {@link org.ddrl.diffusion.data.Dataset},
 *       prepared on a background thread.</li>
 * </ul>
 */
package org.ddrl.diffusion.data;
