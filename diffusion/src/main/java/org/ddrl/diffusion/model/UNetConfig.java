package org.ddrl.diffusion.model;

import java.util.List;

/**
 * The shape of a {@link UNet3D}.
 *
 * @param inChannels       channels of the input video
 * @param outChannels      channels of the predicted velocity
 * @param baseChannels     channels of the first level; level i has baseChannels * channelMults[i]
 * @param channelMults     one multiplier per resolution level; each level after the first halves height and width
 * @param numResBlocks     ResBlocks per level on the way down (the way up has one more, for the extra skip)
 * @param attentionLevels  levels (0 = full resolution) that get spatial, temporal and text attention after
 *                         each ResBlock; the middle always has it
 * @param heads            attention heads at every attention layer; each level's channels / heads must be even
 * @param groups           GroupNorm groups; must divide every level's channels
 * @param textDim          width of the text token embeddings attended to
 * @param frequencyDim     sinusoidal features of the noise level
 */
public record UNetConfig(int inChannels, int outChannels, int baseChannels, List<Integer> channelMults, int numResBlocks,
                         List<Integer> attentionLevels, int heads, int groups, int textDim, int frequencyDim) {
    public UNetConfig {
        channelMults = List.copyOf(channelMults);
        attentionLevels = List.copyOf(attentionLevels);
        if (inChannels <= 0 || outChannels <= 0 || baseChannels <= 0 || channelMults.isEmpty() || numResBlocks < 1 || heads <= 0
                || groups <= 0 || textDim <= 0 || frequencyDim <= 0) {
            throw new IllegalArgumentException("UNetConfig: sizes must be positive, with at least one level and one ResBlock: " + this);
        }
        for (int lvl : attentionLevels) {
            if (lvl < 0 || lvl >= channelMults.size()) {
                throw new IllegalArgumentException("UNetConfig: attention level " + lvl + " is not one of the " + channelMults.size() + " levels");
            }
        }
        for (int mult : channelMults) {
            int ch = baseChannels * mult;
            if (mult <= 0 || ch % groups != 0 || ch % heads != 0 || (ch / heads) % 2 != 0) {
                throw new IllegalArgumentException("UNetConfig: level width " + baseChannels + " x " + mult + " must be positive, divisible by "
                        + groups + " groups, and split into " + heads + " heads of an even size");
            }
        }
    }

    /** For CPU runs: 16 channels, two levels (full and half resolution), attention at half resolution (about 0.5M parameters). */
    public static UNetConfig tiny() {
        return new UNetConfig(3, 3, 16, List.of(1, 2), 1, List.of(1), 4, 4, 64, 128);
    }

    /** Three levels of 48, 96 and 96 channels, two ResBlocks each, attention at the two lower resolutions (about 12M parameters). */
    public static UNetConfig small() {
        return new UNetConfig(3, 3, 48, List.of(1, 2, 2), 2, List.of(1, 2), 4, 16, 256, 256);
    }

    /** Three levels of 64, 128 and 256 channels, two ResBlocks each, attention at the two lower resolutions (about 50M parameters). */
    public static UNetConfig base() {
        return new UNetConfig(3, 3, 64, List.of(1, 2, 4), 2, List.of(1, 2), 8, 32, 384, 256);
    }

    public UNetConfig withTextDim(int dim) {
        return new UNetConfig(inChannels, outChannels, baseChannels, channelMults, numResBlocks, attentionLevels, heads, groups, dim,
                frequencyDim);
    }

    public int levels() {
        return channelMults.size();
    }

    public int channels(int level) {
        return baseChannels * channelMults.get(level);
    }

    /** Width of the noise-level embedding every ResBlock reads: 4 * baseChannels. */
    public int timeDim() {
        return 4 * baseChannels;
    }

    public boolean hasAttention(int level) {
        return attentionLevels.contains(level);
    }
}
