package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Upsampling by integer scale factors (torch.nn.Upsample): x [N, C, *spatial] with 1 to 3 spatial dims
 * (L; H, W; D, H, W) to [N, C, *spatial * scale]. Both modes are compositions of differentiable ops.
 *
 * <ul>
 *   <li>NEAREST copies each input element into a scale-sized block: an unsqueeze + expand view per spatial
 *       dim, made dense by one reshape; its gradient sums each block.</li>
 *   <li>LINEAR interpolates one spatial dim at a time (so linear, bilinear or trilinear by rank): out[o] =
 *       x[i0] + (x[i1] - x[i0]) * w with i0, i1, w from the source coordinate, picked by index_select.
 *       Without alignCorners the source of output o is (o + 0.5) / scale - 0.5 clamped at 0 (PyTorch's
 *       half-pixel rule); with it, o * (in - 1) / (out - 1), which keeps the corner samples.</li>
 * </ul>
 */
public final class Upsample extends Module {
    public enum Mode { NEAREST, LINEAR }

    private final int[] scale;
    private final Mode mode;
    private final boolean alignCorners;

    /** The same factor for every spatial dim, without alignCorners. */
    public Upsample(int scaleFactor, Mode mode) {
        this(new int[] {scaleFactor}, mode, false);
    }

    /** scaleFactor: one value for every spatial dim, or one per spatial dim; alignCorners only for LINEAR. */
    public Upsample(int[] scaleFactor, Mode mode, boolean alignCorners) {
        if (scaleFactor.length < 1 || scaleFactor.length > 3 || Arrays.stream(scaleFactor).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("Upsample: need 1 to 3 scale factors >= 1, got " + Arrays.toString(scaleFactor));
        }
        if (alignCorners && mode != Mode.LINEAR) throw new IllegalArgumentException("Upsample: alignCorners applies to LINEAR only");
        this.scale = scaleFactor.clone();
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    public Tensor forward(Tensor x) {
        int spatial = x.dim() - 2;
        if (spatial < 1 || spatial > 3 || (scale.length != 1 && scale.length != spatial)) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must be [N, C, *spatial] with "
                    + (scale.length == 1 ? "1 to 3" : String.valueOf(scale.length)) + " spatial dims");
        }
        int[] factors = new int[spatial];
        for (int d = 0; d < spatial; d++) factors[d] = scale[scale.length == 1 ? 0 : d];
        return mode == Mode.NEAREST ? nearest(x, factors) : linear(x, factors);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    private static Tensor nearest(Tensor x, int[] factors) {
        int spatial = factors.length;
        int[] shape = x.shape();
        // [N, C, D, H, W] -> [N, C, D, 1, H, 1, W, 1] -> expand the 1s to the factors -> merge pairs
        int[] split = new int[2 + 2 * spatial];
        int[] expanded = new int[2 + 2 * spatial];
        int[] out = shape.clone();
        split[0] = expanded[0] = shape[0];
        split[1] = expanded[1] = shape[1];
        for (int d = 0; d < spatial; d++) {
            split[2 + 2 * d] = expanded[2 + 2 * d] = shape[2 + d];
            split[3 + 2 * d] = 1;
            expanded[3 + 2 * d] = factors[d];
            out[2 + d] = shape[2 + d] * factors[d];
        }
        return x.reshape(split).expand(expanded).reshape(out);
    }

    private Tensor linear(Tensor x, int[] factors) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(describe() + ": linear interpolation needs a floating input, got " + x.dtype()
                    + Shapes.str(x.shape()));
        }
        Tensor y = x;
        for (int d = 0; d < factors.length; d++) {
            if (factors[d] != 1) y = interpolate(y, 2 + d, factors[d]);
        }
        return y;
    }

    /** Linear interpolation of dim {@code dim} to scale times its size. */
    private Tensor interpolate(Tensor x, int dim, int factor) {
        int in = x.size(dim), out = in * factor;
        long[] lo = new long[out], hi = new long[out];
        double[] w = new double[out];
        for (int o = 0; o < out; o++) {
            double src = alignCorners ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0) : Math.max(0, (o + 0.5) / factor - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            lo[o] = i0;
            hi[o] = Math.min(i0 + 1, in - 1);
            w[o] = src - i0;
        }
        int[] wShape = new int[x.dim()];
        Arrays.fill(wShape, 1);
        wShape[dim] = out;
        Tensor weight = Tensor.of(w).to(x.device()).to(x.dtype()).reshape(wShape);
        Tensor a = x.indexSelect(dim, Tensor.of(lo).to(x.device()));
        Tensor b = x.indexSelect(dim, Tensor.of(hi).to(x.device()));
        return a.add(b.sub(a).mul(weight));
    }

    @Override
    protected String extraRepr() {
        return "scale_factor=" + (scale.length == 1 ? String.valueOf(scale[0]) : Arrays.toString(scale)) + ", mode="
                + mode.name().toLowerCase() + (alignCorners ? ", align_corners=true" : "");
    }
}
