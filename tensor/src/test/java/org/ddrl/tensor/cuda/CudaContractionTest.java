package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/** matmul, conv3d and its gradients, scaled dot-product attention and the norms on CUDA devices. */
class CudaContractionTest {
    private final Random rnd = new Random(21);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        return OpCheck.random(rnd, dt, lo, hi, shape);
    }

    /** Operand shapes: 1-d on either side, batched with broadcasting, edges that are not multiples of the 64 x 64 tile. */
    private static final int[][][] MATMUL = {{{5}, {5}}, {{7}, {7, 3}}, {{4, 7}, {7}}, {{65, 17}, {17, 70}}, {{2, 1, 3, 33}, {4, 33, 5}},
        {{3, 1, 16}, {1, 16, 1}}, {{1, 129}, {129, 2}}, {{2, 0, 3}, {3, 4}}, {{3, 0}, {0, 5}}};

    @Test
    void matmulShapesAndDtypes() {
        for (Device dev : DeviceCheck.devices()) {
            for (int[][] s : MATMUL) {
                // F32 products accumulate in float: up to 129 terms
                for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) DeviceCheck.check(dev, 8, Op.MATMUL, Attrs.NONE,
                        rand(dt, -1, 1, s[0]), rand(dt, -1, 1, s[1]));
            }
            DeviceCheck.checkLayouts(dev, 8, Op.MATMUL, Attrs.NONE, rand(DType.F32, -1, 1, 2, 33, 65), rand(DType.F32, -1, 1, 65, 17));
            DeviceCheck.check(dev, 1, Op.MATMUL, Attrs.NONE, rand(DType.I64, -9, 9, 3, 70), rand(DType.I32, -9, 9, 70, 5));
            DeviceCheck.check(dev, 1, Op.MATMUL, Attrs.NONE, rand(DType.BOOL, 0, 2, 3, 4), rand(DType.BOOL, 0, 2, 4, 5));
            DeviceCheck.check(dev, 8, Op.MATMUL, Attrs.NONE, rand(DType.F16, -1, 1, 3, 4), rand(DType.F32, -1, 1, 4, 5));
            Tensor a = Tensor.zeros(DType.F32, dev, 2, 3);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> a.matmul(a)).getMessage()
                    .contains("matmul: inner dims differ, f32[2, 3] x f32[2, 3] (3 vs 2)"));
        }
    }

    @Test
    void conv3dForwardAndBackward() {
        Attrs[] geometries = {
            Attrs.of("stride", new int[] {1, 2, 1}, "padding", new int[] {1, 1, 0}, "dilation", new int[] {1, 1, 2}, "groups", 2),
            Attrs.of("stride", new int[] {1, 1, 1}, "padding", new int[] {0, 0, 0}, "dilation", new int[] {1, 1, 1}, "groups", 1),
            Attrs.of("stride", new int[] {2, 3, 2}, "padding", new int[] {2, 0, 1}, "dilation", new int[] {2, 1, 1}, "groups", 4),
        };
        int[][][] shapes = {{{2, 4, 5, 7, 9}, {6, 2, 3, 3, 3}}, {{1, 3, 4, 6, 5}, {5, 3, 1, 2, 3}}, {{2, 4, 6, 8, 7}, {8, 1, 2, 2, 3}}};
        for (Device dev : DeviceCheck.devices()) {
            for (int g = 0; g < geometries.length; g++) {
                Attrs a = geometries[g];
                int[] xs = shapes[g][0], ws = shapes[g][1];
                for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16}) {
                    Tensor x = rand(dt, -1, 1, xs), w = rand(dt, -1, 1, ws), bias = rand(dt, -1, 1, ws[0]);
                    Tensor y = DeviceCheck.check(dev, 16, Op.CONV3D, a, x, w, bias);
                    DeviceCheck.check(dev, 16, Op.CONV3D, a, x, w);
                    Tensor gy = rand(dt, -1, 1, y.shape());
                    DeviceCheck.check(dev, 16, Op.CONV3D_BACKWARD_INPUT, a.with("inputShape", xs), gy, w);
                    DeviceCheck.check(dev, 16, Op.CONV3D_BACKWARD_WEIGHT, a.with("weightShape", ws), x, gy);
                }
                DeviceCheck.checkLayouts(dev, 16, Op.CONV3D, a, rand(DType.F32, -1, 1, xs), rand(DType.F32, -1, 1, ws));
            }
            Tensor x = Tensor.zeros(DType.F32, dev, 1, 3, 4, 4, 4), w = Tensor.zeros(DType.F32, dev, 4, 2, 1, 1, 1);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> org.ddrl.tensor.Dispatch.call(Op.CONV3D, geometries[1], x, w))
                    .getMessage().contains("conv3d: input has 3 channels but the weight expects 2 * groups 1 = 2"));
        }
    }

    @Test
    void attentionWithMasksCausalityAndBroadcastBatches() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16}) {
                // heads split out of [B, T, H, E] (a transposed view), 33 keys (two key tiles), a BOOL mask broadcast over the batch
                Tensor q = rand(dt, -1, 1, 2, 17, 3, 16).transpose(1, 2), k = rand(dt, -1, 1, 2, 3, 33, 16), v = rand(dt, -1, 1, 2, 3, 33, 8);
                Tensor mask = rand(DType.BOOL, 0, 2, 17, 33).logicalOr(Tensor.eye(17, 33, DType.BOOL, Device.CPU));
                DeviceCheck.check(dev, 8, Op.SDPA, Attrs.of("causal", true, "scale", Double.NaN), q, k, v, mask);
                DeviceCheck.check(dev, 8, Op.SDPA, Attrs.of("causal", false, "scale", 0.3), q, k, v);
                DeviceCheck.check(dev, 8, Op.SDPA, Attrs.of("causal", false, "scale", Double.NaN), q, k, v, rand(dt, -2, 0, 3, 1, 33));
                // wide values (two launch rows of 256 columns) and a batch of 1 broadcast against 4
                DeviceCheck.check(dev, 8, Op.SDPA, Attrs.of("causal", true, "scale", Double.NaN), rand(dt, -1, 1, 4, 5, 8),
                        rand(dt, -1, 1, 1, 40, 8), rand(dt, -1, 1, 1, 40, 300));
            }
            // a row whose keys are all masked is NaN; no keys at all give zeros
            Tensor q = rand(DType.F32, -1, 1, 2, 4).to(dev), k = rand(DType.F32, -1, 1, 3, 4).to(dev), v = rand(DType.F32, -1, 1, 3, 2).to(dev);
            Tensor none = Tensor.of(new boolean[] {false, false, false, true, false, true}, 2, 3).to(dev);
            float[] out = org.ddrl.tensor.Dispatch.call(Op.SDPA, Attrs.of("causal", false, "scale", Double.NaN), q, k, v, none).toFloatArray();
            assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]) && !Float.isNaN(out[2]));
            Tensor empty = org.ddrl.tensor.Dispatch.call(Op.SDPA, Attrs.of("causal", false, "scale", Double.NaN), q,
                    Tensor.zeros(DType.F32, dev, 0, 4), Tensor.zeros(DType.F32, dev, 0, 2));
            assertArrayEquals(new float[4], empty.toFloatArray());
            assertEquals(dev, empty.device());
        }
    }

    @Test
    void layerRmsAndGroupNorm() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
                for (int ndim : new int[] {1, 2}) {
                    int[] norm = ndim == 1 ? new int[] {33} : new int[] {17, 33};
                    Attrs a = Attrs.of("ndim", ndim, "eps", 1e-5);
                    DeviceCheck.checkLayouts(dev, 8, Op.LAYER_NORM, a, rand(dt, -2, 2, 3, 17, 33), rand(dt, -2, 2, norm), rand(dt, -2, 2, norm));
                    DeviceCheck.check(dev, 8, Op.LAYER_NORM, a, rand(dt, -2, 2, 3, 17, 33));
                    DeviceCheck.check(dev, 8, Op.LAYER_NORM, a, rand(dt, -2, 2, 3, 17, 33), rand(dt, -2, 2, norm), null);
                    DeviceCheck.checkLayouts(dev, 8, Op.RMS_NORM, a.with("eps", 1e-6), rand(dt, -2, 2, 3, 17, 33), rand(dt, -2, 2, norm));
                    DeviceCheck.check(dev, 8, Op.RMS_NORM, a, rand(dt, -2, 2, 3, 17, 33));
                }
                Attrs g = Attrs.of("groups", 3, "eps", 1e-5);
                DeviceCheck.checkLayouts(dev, 8, Op.GROUP_NORM, g, rand(dt, -2, 2, 2, 6, 5, 7), rand(dt, -2, 2, 6), rand(dt, -2, 2, 6));
                DeviceCheck.check(dev, 8, Op.GROUP_NORM, g, rand(dt, -2, 2, 2, 6, 5, 7));
                DeviceCheck.check(dev, 8, Op.GROUP_NORM, Attrs.of("groups", 1, "eps", 1e-5), rand(dt, -2, 2, 3, 4), rand(dt, -2, 2, 4));
            }
            Tensor x = Tensor.zeros(DType.F32, dev, 2, 6, 3);
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> org.ddrl.tensor.Dispatch.call(Op.GROUP_NORM, Attrs.of("groups", 4, "eps", 1e-5), x)).getMessage()
                    .contains("group_norm: the 6 channels of input f32[2, 6, 3] are not divisible into 4 groups"));
        }
    }
}
