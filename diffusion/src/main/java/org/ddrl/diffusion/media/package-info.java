/**
 * Pictures of videos for people: animated GIFs ({@link org.ddrl.diffusion.media.Gif}), several videos tiled into one
 * ({@link org.ddrl.diffusion.media.VideoGrid}), and PNG film strips and frame grids
 * ({@link org.ddrl.diffusion.media.PngGrid}). Values in [-1, 1] map to 0..255; files are replaced atomically.
 */
package org.ddrl.diffusion.media;
