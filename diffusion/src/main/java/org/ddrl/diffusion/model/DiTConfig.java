package org.ddrl.diffusion.model;

/**
 * The shape of a {@link VideoDiT}.
 *
 * @param inChannels    channels of the input video (3 for RGB)
 * @param outChannels   channels of the predicted velocity (normally inChannels)
 * @param patchT        frames per patch; the frame count must be a multiple
 * @param patchH        rows per patch; the height must be a multiple
 * @param patchW        columns per patch; the width must be a multiple
 * @param width         token width (hidden size)
 * @param depth         number of blocks
 * @param heads         attention heads; width / heads is the head dim, even for the rotary embedding
 * @param mlpRatio      MLP hidden width / width
 * @param textDim       width of the text token embeddings attended to
 * @param frequencyDim  sinusoidal features of the noise level fed to the timestep MLP
 * @param ropeTheta     base of the rotary frequencies
 * @param pooledText    whether the mean of the caption's token embeddings joins the noise level in the adaLN
 *                      conditioning of every block (as SD3 adds its pooled text vector), besides the cross-attention
 */
public record DiTConfig(int inChannels, int outChannels, int patchT, int patchH, int patchW, int width, int depth, int heads,
                        double mlpRatio, int textDim, int frequencyDim, double ropeTheta, boolean pooledText) {
    public DiTConfig {
        if (inChannels <= 0 || outChannels <= 0 || patchT <= 0 || patchH <= 0 || patchW <= 0 || width <= 0 || depth < 0
                || heads <= 0 || textDim <= 0 || frequencyDim <= 0 || !(mlpRatio > 0)) {
            throw new IllegalArgumentException("DiTConfig: sizes must be positive (depth >= 0): " + this);
        }
        if (width % heads != 0 || (width / heads) % 2 != 0) {
            throw new IllegalArgumentException("DiTConfig: width " + width + " must split into " + heads
                    + " heads of an even size (rotary embeddings rotate channel pairs)");
        }
    }

    /** Without pooled text conditioning (the presets' choice). */
    public DiTConfig(int inChannels, int outChannels, int patchT, int patchH, int patchW, int width, int depth, int heads,
                     double mlpRatio, int textDim, int frequencyDim, double ropeTheta) {
        this(inChannels, outChannels, patchT, patchH, patchW, width, depth, heads, mlpRatio, textDim, frequencyDim, ropeTheta, false);
    }

    /**
     * For CPU runs of the experiment: about 0.4M parameters; 4x4 patches keep 8x16x16 videos at 128 tokens
     * and 16x32x32 videos at 1024.
     */
    public static DiTConfig tiny() {
        return new DiTConfig(3, 3, 1, 4, 4, 64, 4, 4, 4.0, 64, 128, 10000);
    }

    /** For a GPU: 2x2 patches, 256 wide and 8 deep (about 12M parameters). */
    public static DiTConfig small() {
        return new DiTConfig(3, 3, 1, 2, 2, 256, 8, 4, 4.0, 256, 256, 10000);
    }

    /** DiT-S sized: 384 wide, 12 deep, 6 heads of 64 (about 40M parameters). */
    public static DiTConfig base() {
        return new DiTConfig(3, 3, 1, 2, 2, 384, 12, 6, 4.0, 384, 256, 10000);
    }

    public DiTConfig withTextDim(int dim) {
        return new DiTConfig(inChannels, outChannels, patchT, patchH, patchW, width, depth, heads, mlpRatio, dim, frequencyDim, ropeTheta, pooledText);
    }

    public DiTConfig withPatch(int t, int h, int w) {
        return new DiTConfig(inChannels, outChannels, t, h, w, width, depth, heads, mlpRatio, textDim, frequencyDim, ropeTheta, pooledText);
    }

    public DiTConfig withDepth(int d) {
        return new DiTConfig(inChannels, outChannels, patchT, patchH, patchW, width, d, heads, mlpRatio, textDim, frequencyDim, ropeTheta, pooledText);
    }

    public DiTConfig withPooledText(boolean on) {
        return new DiTConfig(inChannels, outChannels, patchT, patchH, patchW, width, depth, heads, mlpRatio, textDim, frequencyDim, ropeTheta, on);
    }

    public int headDim() {
        return width / heads;
    }

    public int mlpHidden() {
        return (int) Math.round(width * mlpRatio);
    }

    /** Input values per patch: inChannels * patchT * patchH * patchW. */
    public int patchInFeatures() {
        return inChannels * patchT * patchH * patchW;
    }

    /** Output values per patch: outChannels * patchT * patchH * patchW. */
    public int patchOutFeatures() {
        return outChannels * patchT * patchH * patchW;
    }
}
