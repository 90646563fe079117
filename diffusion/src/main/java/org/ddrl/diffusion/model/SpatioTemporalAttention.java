package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.autodiff.nn.Rope3d;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Factorized video attention on UNet features h [B, C, T, H, W], every step pre-norm and residual:
 * <ol>
 *   <li>spatial self-attention among the H * W pixels of each frame, with a rotary embedding of (h, w);</li>
 *   <li>cross-attention of every pixel of every frame to the caption tokens (padded tokens masked);</li>
 *   <li>temporal self-attention among the T frames at each pixel, with a rotary embedding of t;</li>
 *   <li>a GELU MLP.</li>
 * </ol>
 * Factorizing keeps the cost at T (HW)^2 + HW T^2 instead of (T H W)^2.
 */
final class SpatioTemporalAttention extends Module {
    private final LayerNorm normSpatial;
    private final MultiheadAttention spatial;
    private final LayerNorm normCross;
    private final MultiheadAttention cross;
    private final LayerNorm normTemporal;
    private final MultiheadAttention temporal;
    private final LayerNorm normMlp;
    private final FeedForward mlp;
    private final Rope3d spatialRope;
    private final Rope3d temporalRope;

    SpatioTemporalAttention(int channels, int heads, int textDim, Generator gen) {
        normSpatial = registerModule("norm_spatial", new LayerNorm(channels));
        spatial = registerModule("spatial_attn", new MultiheadAttention(channels, heads, gen));
        normCross = registerModule("norm_cross", new LayerNorm(channels));
        cross = registerModule("cross_attn", new MultiheadAttention(channels, heads, textDim, textDim, true, gen));
        normTemporal = registerModule("norm_temporal", new LayerNorm(channels));
        temporal = registerModule("temporal_attn", new MultiheadAttention(channels, heads, gen));
        normMlp = registerModule("norm_mlp", new LayerNorm(channels));
        mlp = registerModule("mlp", new FeedForward(channels, 4 * channels, FeedForward.Activation.GELU, true, gen));
        int headDim = channels / heads;
        int hDims = 2 * (headDim / 4);
        spatialRope = new Rope3d(new int[] {0, hDims, headDim - hDims}, 10000);
        temporalRope = new Rope3d(new int[] {headDim, 0, 0}, 10000);
    }

    /** h [B, C, T, H, W], text [B, L, text_dim], textPadding [B, L] BOOL (true = padding); returns h's shape. */
    Tensor forward(Tensor h, Tensor text, Tensor textPadding) {
        int b = h.size(0), c = h.size(1), t = h.size(2), hh = h.size(3), ww = h.size(4);
        // per frame: [B * T, H * W, C]
        Tensor x = h.permute(0, 2, 3, 4, 1).reshape(b * t, hh * ww, c);
        Tensor n = normSpatial.forward(x);
        var rs = new MultiheadAttention.RopeInput(spatialRope, spatialRope.tables(1, hh, ww));
        x = x.add(spatial.forward(n, n, n, null, null, false, rs));
        // cross-attention treats each query alone, so all T * H * W pixels of a sample can query at once
        x = x.reshape(b, t * hh * ww, c);
        x = x.add(cross.forward(normCross.forward(x), text, text, null, textPadding, false, null));
        // per pixel: [B * H * W, T, C]
        x = x.reshape(b, t, hh * ww, c).transpose(1, 2).reshape(b * hh * ww, t, c);
        n = normTemporal.forward(x);
        var rt = new MultiheadAttention.RopeInput(temporalRope, temporalRope.tables(t, 1, 1));
        x = x.add(temporal.forward(n, n, n, null, null, false, rt));
        x = x.add(mlp.forward(normMlp.forward(x)));
        return x.reshape(b, hh, ww, t, c).permute(0, 4, 3, 1, 2);
    }
}
