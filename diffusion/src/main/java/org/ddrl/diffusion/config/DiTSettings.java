package org.ddrl.diffusion.config;

import java.util.List;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.model.DiTConfig;

/**
 * Changes to a {@link DiTConfig} preset; a null field keeps the preset's value.
 *
 * @param patch        frames, rows and columns per patch
 * @param width        token width
 * @param depth        number of blocks
 * @param heads        attention heads
 * @param mlpRatio     MLP hidden width / width
 * @param frequencyDim sinusoidal features of the noise level
 * @param ropeTheta    base of the rotary frequencies
 * @param pooledText   whether the caption's mean token embedding joins the noise level in the adaLN conditioning
 */
public record DiTSettings(List<Integer> patch, Integer width, Integer depth, Integer heads, Double mlpRatio, Integer frequencyDim,
                          Double ropeTheta, Boolean pooledText) {
    DiTConfig applyTo(DiTConfig p, int textDim) {
        return new DiTConfig(p.inChannels(), p.outChannels(),
                patch == null ? p.patchT() : patch.get(0), patch == null ? p.patchH() : patch.get(1), patch == null ? p.patchW() : patch.get(2),
                width == null ? p.width() : width, depth == null ? p.depth() : depth, heads == null ? p.heads() : heads,
                mlpRatio == null ? p.mlpRatio() : mlpRatio, textDim, frequencyDim == null ? p.frequencyDim() : frequencyDim,
                ropeTheta == null ? p.ropeTheta() : ropeTheta, pooledText == null ? p.pooledText() : pooledText);
    }

    /** The fields one by one; false when any is wrong (the combination is then not checked). */
    boolean validate(ConfigErrors e) {
        int before = e.count();
        if (patch != null) {
            if (patch.size() != 3 || patch.contains(null)) {
                e.add("model.dit.patch", "must be three sizes [frames, rows, columns], got " + patch);
            } else {
                for (int i = 0; i < 3; i++) e.atLeast("model.dit.patch[" + i + "]", patch.get(i), 1);
            }
        }
        if (width != null) e.atLeast("model.dit.width", width, 1);
        if (depth != null) e.atLeast("model.dit.depth", depth, 1);
        if (heads != null) e.atLeast("model.dit.heads", heads, 1);
        if (mlpRatio != null) e.positive("model.dit.mlp_ratio", mlpRatio);
        if (frequencyDim != null && (frequencyDim < 2 || frequencyDim % 2 != 0)) {
            e.add("model.dit.frequency_dim", "must be even and >= 2, got " + frequencyDim);
        }
        if (ropeTheta != null) e.positive("model.dit.rope_theta", ropeTheta);
        return e.count() == before;
    }

    /** The checks that involve the preset, several fields, or the videos (after {@link #validate} passed). */
    void validateWith(DiTConfig preset, MovingShapesConfig video, ConfigErrors e) {
        int w = width == null ? preset.width() : width, h = heads == null ? preset.heads() : heads;
        if (w % h != 0 || (w / h) % 2 != 0) {
            e.add(heads != null ? "model.dit.heads" : "model.dit.width", "a width of " + w + " must split into " + h
                    + " heads of an even size (rotary embeddings turn channel pairs)");
        }
        int[] p = patch == null ? new int[] {preset.patchT(), preset.patchH(), preset.patchW()}
                : new int[] {patch.get(0), patch.get(1), patch.get(2)};
        int patchValues = preset.inChannels() * p[0] * p[1] * p[2];
        if (w < patchValues) {
            // the final layer maps each token's width linearly onto its patch, so a narrower token cannot carry the noise
            e.add(width != null ? "model.dit.width" : "model.dit.patch", "a width of " + w + " is less than the " + patchValues
                    + " values of a patch (" + preset.inChannels() + " channels x " + p[0] + " x " + p[1] + " x " + p[2]
                    + "), too narrow to predict them");
        }
        int[] v = {video.frames(), video.height(), video.width()};
        String[] what = {"frames", "height", "width"};
        for (int i = 0; i < 3; i++) {
            if (v[i] % p[i] != 0) {
                e.add("model.dit.patch[" + i + "]", p[i] + " does not divide the videos' " + what[i] + " " + v[i] + " (data.preset)");
            }
        }
    }
}
