package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;

/**
 * Reference conv3d, straight from the definition:
 * out[n, o, z, y, x] = bias[o] + sum over c, i, j, l of
 * in[n, g * cg + c, z * s0 - p0 + i * d0, y * s1 - p1 + j * d1, x * s2 - p2 + l * d2] * weight[o, c, i, j, l],
 * with g = o / (O / groups) and taps that land in the padding contributing nothing.
 *
 * <p>Its gradients, each from its own definition rather than from the forward's loops: the input gradient
 * at a position sums gradOut * weight over every output channel of the group and every tap whose output
 * position reads that input position; the weight gradient at (o, c, i, j, l) sums gradOut * input over
 * samples and output positions, reading the tap's input position (0 in the padding).
 */
final class RefConv {
    private RefConv() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.CONV3D, RefConv::conv3d);
        k.put(Op.CONV3D_BACKWARD_INPUT, RefConv::backwardInput);
        k.put(Op.CONV3D_BACKWARD_WEIGHT, RefConv::backwardWeight);
    }

    private static int[] outSizes(Attrs a, int[] xs, int[] ws) {
        int[] s = a.ints("stride"), p = a.ints("padding"), d = a.ints("dilation");
        int[] out3 = new int[3];
        for (int i = 0; i < 3; i++) out3[i] = Math.floorDiv(xs[2 + i] + 2 * p[i] - d[i] * (ws[2 + i] - 1) - 1, s[i]) + 1;
        return out3;
    }

    /** The output position along one dim whose tap k reads input position at, or -1 when there is none. */
    private static int reader(int at, int k, int stride, int pad, int dil, int outSize) {
        int num = at + pad - k * dil;
        if (num < 0 || num % stride != 0 || num / stride >= outSize) return -1;
        return num / stride;
    }

    private static RefTensor backwardInput(Attrs a, RefTensor... in) {
        RefTensor gy = in[0], w = in[1];
        int[] s = a.ints("stride"), p = a.ints("padding"), d = a.ints("dilation");
        int groups = a.i("groups");
        int[] xs = a.ints("inputShape"), ws = w.shape();
        int[] out3 = outSizes(a, xs, ws);
        int n = xs[0], c = xs[1], o = ws[0], cg = ws[1], og = o / groups;
        RefTensor gx = RefTensor.zeros(gy.dtype(), xs);
        int f = 0;
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                int g = ci / cg;
                for (int z = 0; z < xs[2]; z++) {
                    for (int y = 0; y < xs[3]; y++) {
                        for (int xx = 0; xx < xs[4]; xx++) {
                            double acc = 0;
                            for (int oc = g * og; oc < (g + 1) * og; oc++) {
                                for (int i = 0; i < ws[2]; i++) {
                                    int oz = reader(z, i, s[0], p[0], d[0], out3[0]);
                                    if (oz < 0) continue;
                                    for (int j = 0; j < ws[3]; j++) {
                                        int oy = reader(y, j, s[1], p[1], d[1], out3[1]);
                                        if (oy < 0) continue;
                                        for (int l = 0; l < ws[4]; l++) {
                                            int ox = reader(xx, l, s[2], p[2], d[2], out3[2]);
                                            if (ox < 0) continue;
                                            int gi = (((b * o + oc) * out3[0] + oz) * out3[1] + oy) * out3[2] + ox;
                                            int wi = (((oc * cg + ci - g * cg) * ws[2] + i) * ws[3] + j) * ws[4] + l;
                                            acc += gy.data()[gi] * w.data()[wi];
                                        }
                                    }
                                }
                            }
                            gx.data()[f++] = acc;
                        }
                    }
                }
            }
        }
        return gx.roundTo(gy.dtype());
    }

    private static RefTensor backwardWeight(Attrs a, RefTensor... in) {
        RefTensor x = in[0], gy = in[1];
        int[] s = a.ints("stride"), p = a.ints("padding"), d = a.ints("dilation");
        int groups = a.i("groups");
        int[] xs = x.shape(), ws = a.ints("weightShape");
        int[] out3 = outSizes(a, xs, ws);
        int n = xs[0], c = xs[1], o = ws[0], cg = ws[1], og = o / groups;
        RefTensor gw = RefTensor.zeros(x.dtype(), ws);
        int f = 0;
        for (int oc = 0; oc < o; oc++) {
            int g = oc / og;
            for (int ci = 0; ci < cg; ci++) {
                for (int i = 0; i < ws[2]; i++) {
                    for (int j = 0; j < ws[3]; j++) {
                        for (int l = 0; l < ws[4]; l++) {
                            double acc = 0;
                            for (int b = 0; b < n; b++) {
                                for (int z = 0; z < out3[0]; z++) {
                                    int iz = z * s[0] - p[0] + i * d[0];
                                    if (iz < 0 || iz >= xs[2]) continue;
                                    for (int y = 0; y < out3[1]; y++) {
                                        int iy = y * s[1] - p[1] + j * d[1];
                                        if (iy < 0 || iy >= xs[3]) continue;
                                        for (int xx = 0; xx < out3[2]; xx++) {
                                            int ix = xx * s[2] - p[2] + l * d[2];
                                            if (ix < 0 || ix >= xs[4]) continue;
                                            int gi = (((b * o + oc) * out3[0] + z) * out3[1] + y) * out3[2] + xx;
                                            int xi = (((b * c + g * cg + ci) * xs[2] + iz) * xs[3] + iy) * xs[4] + ix;
                                            acc += gy.data()[gi] * x.data()[xi];
                                        }
                                    }
                                }
                            }
                            gw.data()[f++] = acc;
                        }
                    }
                }
            }
        }
        return gw.roundTo(x.dtype());
    }

    private static RefTensor conv3d(Attrs a, RefTensor... in) {
        RefTensor x = in[0], w = in[1], bias = in.length > 2 ? in[2] : null;
        int[] s = a.ints("stride"), p = a.ints("padding"), d = a.ints("dilation");
        int groups = a.i("groups");
        int[] xs = x.shape(), ws = w.shape();
        int n = xs[0], c = xs[1], o = ws[0], cg = ws[1];
        int[] in3 = {xs[2], xs[3], xs[4]}, k3 = {ws[2], ws[3], ws[4]};
        int[] out3 = outSizes(a, xs, ws);
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
