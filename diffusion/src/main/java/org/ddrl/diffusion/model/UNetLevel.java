package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.ModuleList;

/**
 * One resolution level of a {@link UNet3D}, on the way down or up: its ResBlocks, the attention after each
 * of them (empty where the level has none) and the resampling at its end (null where there is none).
 */
final class UNetLevel extends Module {
    final ModuleList<ResBlock3d> res = registerModule("res", new ModuleList<>());
    final ModuleList<SpatioTemporalAttention> attn = registerModule("attn", new ModuleList<>());
    private Module resample;

    void setResample(Module m) {
        resample = registerModule("resample", m);
    }

    /** The downsampling Conv3d or the {@link Upsample3d}, or null. */
    Module resample() {
        return resample;
    }
}
