/**
 * Captions for the video models: {@link org.ddrl.diffusion.text.Vocabulary} (the word list file),
 * {@link org.ddrl.diffusion.text.WordTokenizer} (captions to fixed-length ids and masks),
 * {@link org.ddrl.diffusion.text.TextEncoder} (a small transformer trained with the video model) and
 * {@link org.ddrl.diffusion.text.TextDropout} (caption dropout for classifier-free guidance).
 */
package org.ddrl.diffusion.text;
