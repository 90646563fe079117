package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;

/**
 * Reference conv3d, straight from the definition:
 * out[n, o, z, y, x] = bias[o] + sum over c, i, j, l of
 * in[n, g * cg + c, z * s0 - p0 + i * d0, y * s1 - p1 + j * d1, x * s2 - p2 + l * d2] * weight[o, c, i, j, l],
 * with g = o / (O / groups) and taps that land in the padding contributing nothing.
 */
final class RefConv {
    private RefConv() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.CONV3D, RefConv::conv3d);
    }

    private static RefTensor conv3d(Attrs a, RefTensor... in) {
        RefTensor x = in[0], w = in[1], bias = in.length > 2 ? in[2] : null;
        int[] s = a.ints("stride"), p = a.ints("padding"), d = a.ints("dilation");
        int groups = a.i("groups");
        int[] xs = x.shape(), ws = w.shape();
        int n = xs[0], c = xs[1], o = ws[0], cg = ws[1];
        int[] in3 = {xs[2], xs[3], xs[4]}, k3 = {ws[2], ws[3], ws[4]};
        int[] out3 = new int[3];
        for (int i = 0; i < 3; i++) out3[i] = Math.floorDiv(in3[i] + 2 * p[i] - d[i] * (k3[i] - 1) - 1, s[i]) + 1;
        RefTensor out = RefTensor.zeros(x.dtype(), n, o, out3[0], out3[1], out3[2]);
        int og = o / groups;
        int f = 0;
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int z = 0; z < out3[0]; z++) {
                    for (int y = 0; y < out3[1]; y++) {
                        for (int xx = 0; xx < out3[2]; xx++) {
                            double acc = bias == null ? 0 : bias.data()[oc];
                            for (int ci = 0; ci < cg; ci++) {
                                for (int i = 0; i < k3[0]; i++) {
                                    int iz = z * s[0] - p[0] + i * d[0];
                                    if (iz < 0 || iz >= in3[0]) continue;
                                    for (int j = 0; j < k3[1]; j++) {
                                        int iy = y * s[1] - p[1] + j * d[1];
                                        if (iy < 0 || iy >= in3[1]) continue;
                                        for (int l = 0; l < k3[2]; l++) {
                                            int ix = xx * s[2] - p[2] + l * d[2];
                                            if (ix < 0 || ix >= in3[2]) continue;
                                            int xi = (((b * c + g * cg + ci) * in3[0] + iz) * in3[1] + iy) * in3[2] + ix;
                                            int wi = (((oc * cg + ci) * k3[0] + i) * k3[1] + j) * k3[2] + l;
                                            acc += x.data()[xi] * w.data()[wi];
                                        }
                                    }
                                }
                            }
                            out.data()[f++] = acc;
                        }
                    }
                }
            }
        }
        return out.roundTo(x.dtype());
    }
}
