package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.tensor.Op;

/**
 * Reference forward chains and gradients of layer_norm_modulate, gated_residual and bias_gelu, from the
 * textbook formulas in double. x [B, *, C] is read as B samples of T rows of C; a per-sample parameter
 * ([B, C] or [B, 1, ..., 1, C]) holds element (b, c) at b C + c either way. With xhat = (x - mean) rstd
 * over a row and a = 1 + scale: modulate = xhat a + shift, grad x = rstd (gh - mean(gh) - xhat
 * mean(gh xhat)) with gh = g a, grad shift = sum over the sample's rows of g, grad scale = sum of g xhat.
 * Packed results follow Op.LAYER_NORM_MODULATE_BACKWARD.
 */
final class RefFusedForward {
    private RefFusedForward() {}

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.LAYER_NORM_MODULATE, (a, in) -> modulate(a.d("eps"), in[0], in[1], in[2]));
        k.put(Op.LAYER_NORM_MODULATE_BACKWARD, (a, in) -> modulateBackward(a.d("eps"), a.ints("outputMask"), in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL, (a, in) -> gated(in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL_BACKWARD, (a, in) -> gatedBackward(a.ints("outputMask"), in[0], in[1], in[2]));
        k.put(Op.BIAS_GELU, (a, in) -> biasGelu(a.s("approximate").equals("tanh"), in[0], in[1]));
        k.put(Op.BIAS_GELU_BACKWARD, (a, in) -> biasGeluBackward(a.s("approximate").equals("tanh"), a.ints("outputMask"), in[0],
                in[1], in[2]));
    }

    /** Rows per sample: x [B, *, C] has B T C elements. */
    private static int tokens(RefTensor x) {
        int b = x.shape()[0], c = x.shape()[x.rank() - 1];
        return b == 0 || c == 0 ? 0 : x.numel() / (b * c);
    }

    private static int channels(RefTensor x) {
        return x.shape()[x.rank() - 1];
    }

    /** Fills xhat with row r's normalized values; returns rstd. */
    private static double rowStats(double[] x, int base, int len, double eps, double[] xhat) {
        double mean = 0, var = 0;
        for (int j = 0; j < len; j++) mean += x[base + j];
        mean /= len;
        for (int j = 0; j < len; j++) var += (x[base + j] - mean) * (x[base + j] - mean);
        double rstd = 1 / Math.sqrt(var / len + eps);
        for (int j = 0; j < len; j++) xhat[j] = (x[base + j] - mean) * rstd;
        return rstd;
    }

    private static RefTensor modulate(double eps, RefTensor x, RefTensor shift, RefTensor scale) {
        int c = channels(x), t = tokens(x), rows = x.shape()[0] * t;
        double[] out = new double[x.numel()], xhat = new double[c];
        for (int r = 0; r < rows; r++) {
            int base = r * c, p = (r / t) * c;
            rowStats(x.data(), base, c, eps, xhat);
            for (int j = 0; j < c; j++) out[base + j] = xhat[j] * (1 + scale.data()[p + j]) + shift.data()[p + j];
        }
        return new RefTensor(out, x.shape(), x.dtype()).roundTo(x.dtype());
    }

    private static RefTensor modulateBackward(double eps, int[] mask, RefTensor g, RefTensor x, RefTensor scale) {
        int c = channels(x), t = tokens(x), b = x.shape()[0], rows = b * t;
        double[] gx = new double[x.numel()], gshift = new double[b * c], gscale = new double[b * c];
        double[] xhat = new double[c], gh = new double[c];
        for (int r = 0; r < rows; r++) {
            int base = r * c, p = (r / t) * c;
            double rstd = rowStats(x.data(), base, c, eps, xhat);
            double mgh = 0, mghx = 0;
            for (int j = 0; j < c; j++) {
                gh[j] = g.data()[base + j] * (1 + scale.data()[p + j]);
                mgh += gh[j];
                mghx += gh[j] * xhat[j];
            }
            mgh /= c;
            mghx /= c;
            for (int j = 0; j < c; j++) {
                gx[base + j] = rstd * (gh[j] - mgh - xhat[j] * mghx);
                gshift[p + j] += g.data()[base + j];
                gscale[p + j] += g.data()[base + j] * xhat[j];
            }
        }
        return pack(x, mask, gx, gshift, gscale);
    }

    private static RefTensor gated(RefTensor x, RefTensor y, RefTensor gate) {
        int c = channels(x), t = tokens(x);
        double[] out = new double[x.numel()];
        for (int i = 0; i < out.length; i++) out[i] = x.data()[i] + gate.data()[(i / c / t) * c + i % c] * y.data()[i];
        return new RefTensor(out, x.shape(), x.dtype()).roundTo(x.dtype());
    }

    private static RefTensor gatedBackward(int[] mask, RefTensor g, RefTensor y, RefTensor gate) {
        int c = channels(y), t = tokens(y), b = y.shape()[0];
        double[] gy = new double[y.numel()], ggate = new double[b * c];
        for (int i = 0; i < gy.length; i++) {
            int p = (i / c / t) * c + i % c;
            gy[i] = g.data()[i] * gate.data()[p];
            ggate[p] += g.data()[i] * y.data()[i];
        }
        return pack(y, mask, gy, ggate);
    }

    private static double gelu(boolean tanh, double v) {
        if (tanh) return 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
        return v * 0.5 * SpecialMath.erfc(-v / Math.sqrt(2));
    }

    private static double geluDerivative(boolean tanh, double v) {
        if (tanh) {
            double th = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
            return 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
        }
        return 0.5 * SpecialMath.erfc(-v / Math.sqrt(2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
    }

    private static RefTensor biasGelu(boolean tanh, RefTensor x, RefTensor bias) {
        int c = channels(x);
        double[] out = new double[x.numel()];
        for (int i = 0; i < out.length; i++) out[i] = gelu(tanh, x.data()[i] + bias.data()[i % c]);
        return new RefTensor(out, x.shape(), x.dtype()).roundTo(x.dtype());
    }

    private static RefTensor biasGeluBackward(boolean tanh, int[] mask, RefTensor g, RefTensor x, RefTensor bias) {
        int c = channels(x);
        double[] gx = new double[x.numel()], gb = new double[c];
        for (int i = 0; i < gx.length; i++) {
            gx[i] = g.data()[i] * geluDerivative(tanh, x.data()[i] + bias.data()[i % c]);
            gb[i % c] += gx[i];
        }
        return pack(x, mask, gx, gb);
    }

    private static RefTensor pack(RefTensor x, int[] mask, double[]... parts) {
        int n = 0;
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) n += parts[i].length;
        double[] out = new double[n];
        int at = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) continue;
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return new RefTensor(out, new int[] {n}, x.dtype()).roundTo(x.dtype());
    }
}
