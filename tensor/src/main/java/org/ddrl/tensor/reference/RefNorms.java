package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;

/** Reference layer_norm, rms_norm and group_norm, straight from their definitions in double. */
final class RefNorms {
    private RefNorms() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.LAYER_NORM, (a, in) -> trailing(false, a, in));
        k.put(Op.RMS_NORM, (a, in) -> trailing(true, a, in));
        k.put(Op.GROUP_NORM, RefNorms::groupNorm);
    }

    private static RefTensor optional(RefTensor[] in, int i) {
        return in.length > i ? in[i] : null;
    }

    /** Rows of the trailing ndim dims: (x - mean) / sqrt(var + eps) * w + b, or x / sqrt(mean(x^2) + eps) * w. */
    private static RefTensor trailing(boolean rms, Attrs a, RefTensor[] in) {
        RefTensor x = in[0], w = optional(in, 1), b = rms ? null : optional(in, 2);
        int[] shape = x.shape();
        int len = 1;
        for (int i = shape.length - a.i("ndim"); i < shape.length; i++) len *= shape[i];
        double eps = a.d("eps");
        double[] out = new double[x.numel()];
        for (int row = 0; len > 0 && row < x.numel() / len; row++) {
            int base = row * len;
            double mean = 0, var = 0;
            if (!rms) {
                for (int j = 0; j < len; j++) mean += x.data()[base + j];
                mean /= len;
            }
            for (int j = 0; j < len; j++) var += (x.data()[base + j] - mean) * (x.data()[base + j] - mean);
            var /= len;
            for (int j = 0; j < len; j++) {
                double y = (x.data()[base + j] - mean) / Math.sqrt(var + eps);
                if (w != null) y *= w.data()[j];
                if (b != null) y += b.data()[j];
                out[base + j] = y;
            }
        }
        return new RefTensor(out, shape, x.dtype()).roundTo(x.dtype());
    }

    /** x [N, C, *]: each group of C / groups consecutive channels is normalized, then scaled per channel. */
    private static RefTensor groupNorm(Attrs a, RefTensor... in) {
        RefTensor x = in[0], w = optional(in, 1), b = optional(in, 2);
        int[] shape = x.shape();
        int batch = shape[0], channels = shape[1], groups = a.i("groups");
        int spatial = 1;
        for (int i = 2; i < shape.length; i++) spatial *= shape[i];
        int per = channels / groups;
        double eps = a.d("eps");
        double[] out = new double[x.numel()];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                int base = (n * channels + g * per) * spatial, len = per * spatial;
                double mean = 0, var = 0;
                for (int j = 0; j < len; j++) mean += x.data()[base + j];
                mean /= len;
                for (int j = 0; j < len; j++) var += (x.data()[base + j] - mean) * (x.data()[base + j] - mean);
                var /= len;
                for (int j = 0; j < len; j++) {
                    int c = g * per + j / spatial;
                    double y = (x.data()[base + j] - mean) / Math.sqrt(var + eps);
                    if (w != null) y *= w.data()[c];
                    if (b != null) y += b.data()[c];
                    out[base + j] = y;
                }
            }
        }
        return new RefTensor(out, shape, x.dtype()).roundTo(x.dtype());
    }
}
