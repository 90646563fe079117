package org.ddrl.diffusion.config;

import java.util.List;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.model.UNetConfig;

/**
 * Changes to a {@link UNetConfig} preset; a null field keeps the preset's value.
 *
 * @param baseChannels    channels of the first level
 * @param channelMults    one multiplier per level; each level after the first halves height and width
 * @param numResBlocks    ResBlocks per level
 * @param attentionLevels levels (0 = full resolution) with attention
 * @param heads           attention heads
 * @param groups          GroupNorm groups
 * @param frequencyDim    sinusoidal features of the noise level
 */
public record UNetSettings(Integer baseChannels, List<Integer> channelMults, Integer numResBlocks, List<Integer> attentionLevels,
                           Integer heads, Integer groups, Integer frequencyDim) {
    UNetConfig applyTo(UNetConfig p, int textDim) {
        return new UNetConfig(p.inChannels(), p.outChannels(), baseChannels == null ? p.baseChannels() : baseChannels,
                channelMults == null ? p.channelMults() : channelMults, numResBlocks == null ? p.numResBlocks() : numResBlocks,
                attentionLevels == null ? p.attentionLevels() : attentionLevels, heads == null ? p.heads() : heads,
                groups == null ? p.groups() : groups, textDim, frequencyDim == null ? p.frequencyDim() : frequencyDim);
    }

    /** The fields one by one; false when any is wrong (the combination is then not checked). */
    boolean validate(ConfigErrors e) {
        int before = e.count();
        if (baseChannels != null) e.atLeast("model.unet.base_channels", baseChannels, 1);
        if (channelMults != null) {
            if (channelMults.isEmpty()) e.add("model.unet.channel_mults", "must list at least one level");
            for (int i = 0; i < channelMults.size(); i++) {
                Integer m = channelMults.get(i);
                if (m == null || m < 1) e.add("model.unet.channel_mults[" + i + "]", "must be >= 1, got " + m);
            }
        }
        if (numResBlocks != null) e.atLeast("model.unet.num_res_blocks", numResBlocks, 1);
        if (attentionLevels != null && attentionLevels.contains(null)) e.add("model.unet.attention_levels", "holds a null level");
        if (heads != null) e.atLeast("model.unet.heads", heads, 1);
        if (groups != null) e.atLeast("model.unet.groups", groups, 1);
        if (frequencyDim != null && (frequencyDim < 2 || frequencyDim % 2 != 0)) {
            e.add("model.unet.frequency_dim", "must be even and >= 2, got " + frequencyDim);
        }
        return e.count() == before;
    }

    /** The resolved UNetConfig, or null after recording why the preset and these fields do not make one. */
    UNetConfig resolve(ConfigErrors e, ModelConfig model) {
        try {
            return model.unetConfig();
        } catch (IllegalArgumentException x) {
            e.add("model.unet", x.getMessage());
            return null;
        }
    }

    /** The checks that involve the videos. */
    void validateWith(UNetConfig c, MovingShapesConfig video, ConfigErrors e) {
        if (c == null) return;
        int factor = 1 << (c.levels() - 1);
        if (video.height() % factor != 0 || video.width() % factor != 0) {
            e.add("model.unet.channel_mults", c.levels() + " levels halve the frames' sides " + (c.levels() - 1) + " times, which "
                    + video.height() + "x" + video.width() + " videos (data.preset) do not allow");
        }
    }
}
