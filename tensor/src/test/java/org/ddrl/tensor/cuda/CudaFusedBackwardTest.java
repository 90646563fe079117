package org.ddrl.tensor.cuda;

import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused activation and norm gradients on CUDA devices against the F64 reference: both GELU forms and
 * SiLU; layer, rms and group norm with and without weight, every output mask, rows longer than a block
 * (256 threads) and group-norm channels with a single element, in dense and non-contiguous layouts.
 */
class CudaFusedBackwardTest {
    private static final DType[] DTYPES = {DType.F32, DType.F64, DType.BF16, DType.F16};
    private static final int[][] MASKS3 = {{1, 1, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}};

    private final Random rnd = new Random(53);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        return OpCheck.random(rnd, dt, lo, hi, shape);
    }

    @Test
    void activations() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                Tensor x = rand(dt, -6, 6, 5, 37), g = rand(dt, -1, 1, 5, 37);
                DeviceCheck.check(dev, 4, Op.GELU_BACKWARD, Attrs.of("approximate", "none"), g, x);
                DeviceCheck.check(dev, 4, Op.GELU_BACKWARD, Attrs.of("approximate", "tanh"), g, x);
                DeviceCheck.check(dev, 4, Op.SILU_BACKWARD, Attrs.NONE, g, x);
            }
            // far tails: finite, and the limits 0 and 1
            Tensor tails = Tensor.of(new float[] {-1e4f, -200, -90, 0, 90, 200, 1e4f}, 7), one = Tensor.ones(DType.F32, Device.CPU, 7);
            DeviceCheck.check(dev, 1, Op.GELU_BACKWARD, Attrs.of("approximate", "tanh"), one, tails);
            DeviceCheck.check(dev, 1, Op.SILU_BACKWARD, Attrs.NONE, one, tails);
            DeviceCheck.checkLayouts(dev, 4, Op.GELU_BACKWARD, Attrs.of("approximate", "none"), rand(DType.F32, -1, 1, 3, 17),
                    rand(DType.F32, -4, 4, 3, 17));
        }
    }

    @Test
    void layerAndRmsNorm() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                // 300 elements per row: more than one block of threads; 37 rows
                Tensor x = rand(dt, 1, 5, 37, 300), g = rand(dt, -1, 1, 37, 300), w = rand(dt, 0.5, 1.5, 300);
                for (int[] mask : MASKS3) {
                    Attrs a = Attrs.of("ndim", 1, "eps", 1e-5, "outputMask", mask);
                    DeviceCheck.check(dev, 8, Op.LAYER_NORM_BACKWARD, a, g, x, w);
                }
                DeviceCheck.check(dev, 8, Op.LAYER_NORM_BACKWARD, Attrs.of("ndim", 2, "eps", 1e-5, "outputMask", new int[] {1, 0, 1}),
                        rand(dt, -1, 1, 3, 5, 7), rand(dt, -1, 1, 3, 5, 7), null);
                DeviceCheck.check(dev, 8, Op.RMS_NORM_BACKWARD, Attrs.of("ndim", 1, "eps", 1e-6, "outputMask", new int[] {1, 1}), g, x, w);
                DeviceCheck.check(dev, 8, Op.RMS_NORM_BACKWARD, Attrs.of("ndim", 2, "eps", 1e-6, "outputMask", new int[] {1, 0}),
                        rand(dt, -1, 1, 3, 5, 7), rand(dt, -1, 1, 3, 5, 7), null);
            }
            Attrs a = Attrs.of("ndim", 1, "eps", 1e-5, "outputMask", new int[] {1, 1, 1});
            DeviceCheck.checkLayouts(dev, 8, Op.LAYER_NORM_BACKWARD, a, rand(DType.F32, -1, 1, 4, 3, 17), rand(DType.F32, 0, 3, 4, 3, 17),
                    rand(DType.F32, 0.5, 1.5, 17));
            DeviceCheck.checkLayouts(dev, 8, Op.RMS_NORM_BACKWARD, Attrs.of("ndim", 1, "eps", 1e-6, "outputMask", new int[] {1, 1}),
                    rand(DType.F32, -1, 1, 4, 3, 17), rand(DType.F32, -2, 2, 4, 3, 17), rand(DType.F32, 0.5, 1.5, 17));
        }
    }

    @Test
    void groupNorm() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                Tensor x = rand(dt, -1, 4, 2, 6, 5, 7), g = rand(dt, -1, 1, 2, 6, 5, 7), w = rand(dt, 0.5, 1.5, 6);
                for (int groups : new int[] {1, 2, 6}) {
                    for (int[] mask : MASKS3) {
                        DeviceCheck.check(dev, 8, Op.GROUP_NORM_BACKWARD, Attrs.of("groups", groups, "eps", 1e-5, "outputMask", mask), g, x, w);
                    }
                }
                // [N, C] alone: channels of one element
                DeviceCheck.check(dev, 8, Op.GROUP_NORM_BACKWARD, Attrs.of("groups", 2, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}),
                        rand(dt, -1, 1, 3, 4), rand(dt, -1, 1, 3, 4), null);
            }
            DeviceCheck.checkLayouts(dev, 8, Op.GROUP_NORM_BACKWARD, Attrs.of("groups", 3, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}),
                    rand(DType.F32, -1, 1, 2, 6, 9), rand(DType.F32, -1, 3, 2, 6, 9), rand(DType.F32, 0.5, 1.5, 6));
        }
    }
}
