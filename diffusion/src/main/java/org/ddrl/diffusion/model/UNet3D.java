package org.ddrl.diffusion.model;

import java.util.ArrayDeque;
import java.util.Deque;
import org.ddrl.autodiff.nn.Conv3d;
import org.ddrl.autodiff.nn.GroupNorm;
import org.ddrl.autodiff.nn.Init;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.ModuleList;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A text-conditioned 3D UNet (the video UNets of Video Diffusion Models and VideoLDM, in miniature):
 * <pre>
 * h = conv_in(x_t)                                               3x3x3
 * down level i: numResBlocks x (ResBlock3d [+ SpatioTemporalAttention]), then, except at the last
 *               level, a Conv3d with kernel 3, stride (1, 2, 2), padding 1
 * middle:       ResBlock3d, SpatioTemporalAttention, ResBlock3d
 * up level i:   (numResBlocks + 1) x (concat the matching skip, ResBlock3d [+ attention]), then, except
 *               at level 0, nearest upsampling x (1, 2, 2) and a 3x3x3 conv
 * out = conv_out(silu(norm_out(h)))                              3x3x3, zero-initialized
 * </pre>
 * Every ResBlock reads the noise-level embedding; attention (spatial, text, temporal) runs at the
 * configured low-resolution levels and in the middle. Downsampling halves height and width only: frames
 * are never merged, so any frame count works (clips are short; temporal attention mixes them at the low
 * levels), while height and width must be divisible by 2^(levels - 1). The output convolution starts at
 * zero, so an untrained model predicts zero velocity.
 */
public final class UNet3D extends Module implements VideoModel {
    private final UNetConfig config;
    private final TimestepEmbedding timeEmbedding;
    private final Conv3d convIn;
    private final ModuleList<UNetLevel> down;
    private final ResBlock3d midRes1;
    private final SpatioTemporalAttention midAttn;
    private final ResBlock3d midRes2;
    private final ModuleList<UNetLevel> up;
    private final GroupNorm normOut;
    private final Conv3d convOut;
    private boolean checkpointing;

    public UNet3D(UNetConfig cfg, Generator gen) {
        this.config = cfg;
        int td = cfg.timeDim(), g = cfg.groups();
        timeEmbedding = registerModule("time_embedding", new TimestepEmbedding(cfg.frequencyDim(), td, gen));
        convIn = registerModule("conv_in", new Conv3d(cfg.inChannels(), cfg.channels(0), 3, 1, 1, gen));
        down = registerModule("down", new ModuleList<>());
        Deque<Integer> skipChannels = new ArrayDeque<>();
        skipChannels.push(cfg.channels(0));
        int ch = cfg.channels(0);
        for (int lvl = 0; lvl < cfg.levels(); lvl++) {
            UNetLevel level = new UNetLevel();
            int out = cfg.channels(lvl);
            for (int r = 0; r < cfg.numResBlocks(); r++) {
                level.res.add(new ResBlock3d(ch, out, td, g, gen));
                ch = out;
                if (cfg.hasAttention(lvl)) level.attn.add(new SpatioTemporalAttention(ch, cfg.heads(), cfg.textDim(), gen));
                skipChannels.push(ch);
            }
            if (lvl < cfg.levels() - 1) {
                level.setResample(new Conv3d(ch, ch, new int[] {3}, new int[] {1, 2, 2}, new int[] {1}, new int[] {1}, 1, true, gen));
                skipChannels.push(ch);
            }
            down.add(level);
        }
        midRes1 = registerModule("mid_res1", new ResBlock3d(ch, ch, td, g, gen));
        midAttn = registerModule("mid_attn", new SpatioTemporalAttention(ch, cfg.heads(), cfg.textDim(), gen));
        midRes2 = registerModule("mid_res2", new ResBlock3d(ch, ch, td, g, gen));
        // up levels are registered deepest first, the order they run in
        up = registerModule("up", new ModuleList<>());
        for (int lvl = cfg.levels() - 1; lvl >= 0; lvl--) {
            UNetLevel level = new UNetLevel();
            int out = cfg.channels(lvl);
            for (int r = 0; r <= cfg.numResBlocks(); r++) {
                level.res.add(new ResBlock3d(ch + skipChannels.pop(), out, td, g, gen));
                ch = out;
                if (cfg.hasAttention(lvl)) level.attn.add(new SpatioTemporalAttention(ch, cfg.heads(), cfg.textDim(), gen));
            }
            if (lvl > 0) level.setResample(new Upsample3d(ch, gen));
            up.add(level);
        }
        normOut = registerModule("norm_out", new GroupNorm(g, ch));
        convOut = registerModule("conv_out", new Conv3d(ch, cfg.outChannels(), 3, 1, 1, gen));
        Init.zeros(convOut.weight());
        Init.zeros(convOut.bias());
    }

    public UNetConfig config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor xt, Tensor t, Tensor text, Tensor textMask) {
        VideoInputs.check(describe(), this, xt, t, text, textMask);
        int factor = 1 << (config.levels() - 1);
        if (xt.size(3) % factor != 0 || xt.size(4) % factor != 0) {
            throw new IllegalArgumentException(describe() + ": height and width of " + Shapes.str(xt.shape()) + " must be divisible by "
                    + factor + " (" + config.levels() + " levels, each after the first halving them)");
        }
        Tensor temb = timeEmbedding.forward(t);
        Tensor pad = textMask.logicalNot();
        Deque<Tensor> skips = new ArrayDeque<>();
        Tensor h = convIn.forward(xt);
        skips.push(h);
        for (UNetLevel level : down) {
            for (int r = 0; r < level.res.size(); r++) {
                h = res(level.res.get(r), h, temb);
                if (level.attn.size() > 0) h = attn(level.attn.get(r), h, text, pad);
                skips.push(h);
            }
            if (level.resample() != null) {
                h = level.resample().forward(h);
                skips.push(h);
            }
        }
        h = res(midRes1, h, temb);
        h = attn(midAttn, h, text, pad);
        h = res(midRes2, h, temb);
        for (UNetLevel level : up) {
            for (int r = 0; r < level.res.size(); r++) {
                h = res(level.res.get(r), Tensor.cat(1, h, skips.pop()), temb);
                if (level.attn.size() > 0) h = attn(level.attn.get(r), h, text, pad);
            }
            if (level.resample() != null) h = level.resample().forward(h);
        }
        return convOut.forward(normOut.forward(h).silu());
    }

    private Tensor res(ResBlock3d block, Tensor h, Tensor temb) {
        return BlockCheckpoint.run(checkpointing, block, in -> block.forward(in[0], in[1]), h, temb);
    }

    private Tensor attn(SpatioTemporalAttention block, Tensor h, Tensor text, Tensor pad) {
        return BlockCheckpoint.run(checkpointing, block, in -> block.forward(in[0], in[1], pad), h, text);
    }

    @Override
    public void setGradientCheckpointing(boolean on) {
        checkpointing = on;
    }

    @Override
    public boolean gradientCheckpointing() {
        return checkpointing;
    }

    @Override
    public int inChannels() {
        return config.inChannels();
    }

    @Override
    public int outChannels() {
        return config.outChannels();
    }

    @Override
    public int textDim() {
        return config.textDim();
    }

    @Override
    protected String extraRepr() {
        return "base_channels=" + config.baseChannels() + ", channel_mults=" + config.channelMults() + ", res_blocks="
                + config.numResBlocks() + ", attention_levels=" + config.attentionLevels();
    }
}
