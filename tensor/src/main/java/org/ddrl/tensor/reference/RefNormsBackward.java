package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;

/**
 * Reference gradients of GELU, SiLU and the three norms, from the textbook formulas in double, one
 * element (activations) or one normalized row (norms) at a time. For a norm with xhat = (x - mean) * rstd
 * (rms norm: mean 0), gh = gradOut * weight and means over the row's n elements:
 * grad x = rstd (gh - mean(gh) - xhat mean(gh xhat)) (rms norm: without the mean(gh) term),
 * grad weight = sum over rows of gradOut xhat, grad bias = sum over rows of gradOut. The packed result
 * follows Op.LAYER_NORM_BACKWARD.
 */
final class RefNormsBackward {
    private RefNormsBackward() {}

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.GELU_BACKWARD, (a, in) -> a.s("approximate").equals("tanh")
                ? activation(in, RefNormsBackward::geluTanhDerivative) : activation(in, RefNormsBackward::geluDerivative));
        k.put(Op.SILU_BACKWARD, (a, in) -> activation(in, v -> {
            double s = 1 / (1 + Math.exp(-v));
            return s * (1 + v * (1 - s));
        }));
        k.put(Op.LAYER_NORM_BACKWARD, (a, in) -> norm(a, false, in));
        k.put(Op.RMS_NORM_BACKWARD, (a, in) -> norm(a, true, in));
        k.put(Op.GROUP_NORM_BACKWARD, RefNormsBackward::groupNorm);
    }

    /** Phi(x) + x phi(x). */
    private static double geluDerivative(double x) {
        double cdf = 0.5 * SpecialMath.erfc(-x / Math.sqrt(2));
        return cdf + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** d/dx of 0.5 x (1 + tanh(u)), u = sqrt(2 / pi) (x + 0.044715 x^3). */
    private static double geluTanhDerivative(double x) {
        double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
        double du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    }

    private static RefTensor activation(RefTensor[] in, java.util.function.DoubleUnaryOperator derivative) {
        RefTensor g = in[0], x = in[1];
        double[] out = new double[x.numel()];
        for (int i = 0; i < out.length; i++) out[i] = g.data()[i] * derivative.applyAsDouble(x.data()[i]);
        return new RefTensor(out, x.shape(), x.dtype()).roundTo(x.dtype());
    }

    /** layer_norm (or rms_norm) over the trailing ndim dims. */
    private static RefTensor norm(Attrs a, boolean rms, RefTensor[] in) {
        RefTensor g = in[0], x = in[1], w = in.length > 2 ? in[2] : null;
        int[] mask = a.ints("outputMask");
        int[] shape = x.shape();
        int len = 1;
        for (int i = shape.length - a.i("ndim"); i < shape.length; i++) len *= shape[i];
        int rows = len == 0 ? 0 : x.numel() / len;
        double[] gx = new double[x.numel()], gw = new double[len], gb = new double[len];
        double[] gh = new double[len], xhat = new double[len];
        for (int r = 0; r < rows; r++) {
            int base = r * len;
            double rstd = rowStats(x.data(), base, len, rms, a.d("eps"), xhat);
            for (int j = 0; j < len; j++) gh[j] = g.data()[base + j] * (w == null ? 1 : w.data()[j]);
            double mgh = 0, mghx = 0;
            for (int j = 0; j < len; j++) {
                mgh += gh[j];
                mghx += gh[j] * xhat[j];
            }
            mgh = rms ? 0 : mgh / len;
            mghx /= len;
            for (int j = 0; j < len; j++) {
                gx[base + j] = rstd * (gh[j] - mgh - xhat[j] * mghx);
                gw[j] += g.data()[base + j] * xhat[j];
                gb[j] += g.data()[base + j];
            }
        }
        return pack(x, mask, gx, gw, gb);
    }

    /** x [N, C, *]: rows are the groups of C / groups channels of one sample; weight per channel. */
    private static RefTensor groupNorm(Attrs a, RefTensor... in) {
        RefTensor g = in[0], x = in[1], w = in.length > 2 ? in[2] : null;
        int[] mask = a.ints("outputMask");
        int[] shape = x.shape();
        int batch = shape[0], channels = shape[1], groups = a.i("groups");
        int spatial = 1;
        for (int i = 2; i < shape.length; i++) spatial *= shape[i];
        int per = channels / groups, len = per * spatial;
        double[] gx = new double[x.numel()], gw = new double[channels], gb = new double[channels];
        double[] gh = new double[len], xhat = new double[len];
        for (int n = 0; n < batch; n++) {
            for (int grp = 0; grp < groups; grp++) {
                int base = (n * channels + grp * per) * spatial;
                double rstd = rowStats(x.data(), base, len, false, a.d("eps"), xhat);
                double mgh = 0, mghx = 0;
                for (int j = 0; j < len; j++) {
                    int c = grp * per + j / spatial;
                    gh[j] = g.data()[base + j] * (w == null ? 1 : w.data()[c]);
                    mgh += gh[j];
                    mghx += gh[j] * xhat[j];
                }
                mgh /= len;
                mghx /= len;
                for (int j = 0; j < len; j++) {
                    int c = grp * per + j / spatial;
                    gx[base + j] = rstd * (gh[j] - mgh - xhat[j] * mghx);
                    gw[c] += g.data()[base + j] * xhat[j];
                    gb[c] += g.data()[base + j];
                }
            }
        }
        return pack(x, mask, gx, gw, gb);
    }

    /** Fills xhat with the row's normalized values and returns 1 / sqrt(var + eps) (rms: of the mean square). */
    private static double rowStats(double[] x, int base, int len, boolean rms, double eps, double[] xhat) {
        double mean = 0, var = 0;
        if (!rms) {
            for (int j = 0; j < len; j++) mean += x[base + j];
            mean /= len;
        }
        for (int j = 0; j < len; j++) var += (x[base + j] - mean) * (x[base + j] - mean);
        double rstd = 1 / Math.sqrt(var / len + eps);
        for (int j = 0; j < len; j++) xhat[j] = (x[base + j] - mean) * rstd;
        return rstd;
    }

    private static RefTensor pack(RefTensor x, int[] mask, double[] gx, double[] gw, double[] gb) {
        double[][] parts = {gx, gw, gb};
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
