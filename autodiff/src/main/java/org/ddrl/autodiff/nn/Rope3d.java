package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Rotary position embedding over three axes (frame t, row h, column w) for video tokens, applied to
 * queries and keys after the heads are split. Rotating q by its position and k by its own makes q.k depend
 * on the positions only through their difference, per axis.
 *
 * <p>Frequency layout. The head dim is cut into three consecutive parts of sizes dt, dh, dw (even, summing
 * to head_dim); within the whole head dim, channels (2j, 2j + 1) form pair j, rotated as one complex
 * number (interleaved pairs, as in the original RoPE). Pairs 0 .. dt/2 - 1 rotate by the t position,
 * the next dh/2 by h, the last dw/2 by w; pair i of an axis part of size d turns by pos * theta^(-2i / d).
 * The default split gives h and w 2 * floor(head_dim / 6) channels each and t the rest (as video DiTs
 * such as Wan do), so t keeps the most low frequencies.
 */
public final class Rope3d {
    private final int[] axisDims;
    private final double theta;

    /** cos and sin of every token's rotation angles, each [L, head_dim / 2]. */
    public record Tables(Tensor cos, Tensor sin) {
        public int length() {
            return cos.size(0);
        }
    }

    /** The default split of headDim (see the class comment); theta is the base, 10000 in most models. */
    public Rope3d(int headDim, double theta) {
        this(defaultSplit(headDim), theta);
    }

    /** axisDims: the channels given to t, h and w, each even (0 leaves that axis out), summing to the head dim. */
    public Rope3d(int[] axisDims, double theta) {
        if (axisDims.length != 3 || Arrays.stream(axisDims).anyMatch(d -> d < 0 || d % 2 != 0) || Arrays.stream(axisDims).sum() == 0) {
            throw new IllegalArgumentException("Rope3d: need three even, non-negative axis sizes (t, h, w), not all 0, got "
                    + Arrays.toString(axisDims));
        }
        if (!(theta > 1)) throw new IllegalArgumentException("Rope3d: theta must be > 1, got " + theta);
        this.axisDims = axisDims.clone();
        this.theta = theta;
    }

    private static int[] defaultSplit(int headDim) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("Rope3d: head dim must be even and positive, got " + headDim);
        int hw = 2 * (headDim / 6);
        return new int[] {headDim - 2 * hw, hw, hw};
    }

    public int headDim() {
        return axisDims[0] + axisDims[1] + axisDims[2];
    }

    /** Channels per axis (t, h, w). */
    public int[] axisDims() {
        return axisDims.clone();
    }

    /** Tables for a frames x height x width grid of tokens in t-major order (token index (t * height + h) * width + w), F32. */
    public Tables tables(int frames, int height, int width) {
        int n = Math.multiplyExact(Math.multiplyExact(frames, height), width);
        double[] t = new double[n], h = new double[n], w = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i / (height * width);
            h[i] = (i / width) % height;
            w[i] = i % width;
        }
        return tables(t, h, w, DType.F32, Backends.defaultDevice());
    }

    /** Tables for tokens at arbitrary (possibly fractional, e.g. rescaled) positions, one entry per token in each array. */
    public Tables tables(double[] t, double[] h, double[] w, DType dtype, Device device) {
        if (t.length != h.length || t.length != w.length) {
            throw new IllegalArgumentException("Rope3d.tables: position arrays differ in length: t " + t.length + ", h " + h.length
                    + ", w " + w.length);
        }
        int n = t.length, half = headDim() / 2;
        double[] cos = new double[n * half], sin = new double[n * half];
        double[][] pos = {t, h, w};
        for (int i = 0; i < n; i++) {
            int pair = 0;
            for (int axis = 0; axis < 3; axis++) {
                int d = axisDims[axis];
                for (int k = 0; k < d / 2; k++, pair++) {
                    double angle = pos[axis][i] * Math.pow(theta, -2.0 * k / d);
                    cos[i * half + pair] = Math.cos(angle);
                    sin[i * half + pair] = Math.sin(angle);
                }
            }
        }
        return new Tables(Tensor.of(cos, n, half).to(dtype).to(device), Tensor.of(sin, n, half).to(dtype).to(device));
    }

    /**
     * Rotates x [..., L, head_dim] (e.g. [N, heads, L, head_dim]) by the tables of its L tokens; returns a
     * new tensor of x's shape. Pair (a, b) becomes (a cos - b sin, a sin + b cos). Tables of another dtype
     * are converted to x's.
     */
    public Tensor apply(Tensor x, Tables tables) {
        int hd = headDim();
        if (x.dim() < 2 || x.size(-1) != hd || x.size(-2) != tables.length()) {
            throw new IllegalArgumentException("Rope3d: input " + Shapes.str(x.shape()) + " must be [..., " + tables.length() + ", " + hd
                    + "] (tables for " + tables.length() + " tokens, head dim " + hd + ")");
        }
        Tensor cos = tables.cos().to(x.dtype()), sin = tables.sin().to(x.dtype());
        int[] pairs = x.shape();
        pairs[pairs.length - 1] = hd / 2;
        int[] split = Arrays.copyOf(pairs, pairs.length + 1);
        split[pairs.length] = 2;
        Tensor xp = x.reshape(split);
        Tensor a = xp.select(-1, 0), b = xp.select(-1, 1);
        Tensor ra = a.mul(cos).sub(b.mul(sin));
        Tensor rb = a.mul(sin).add(b.mul(cos));
        return Tensor.stack(-1, ra, rb).reshape(x.shape());
    }

    @Override
    public String toString() {
        return "Rope3d(axis_dims=" + Arrays.toString(axisDims) + ", theta=" + theta + ")";
    }
}
