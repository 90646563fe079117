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
 * The fused forward chains and their gradients on CUDA devices against the F64 reference: rows longer than
 * a block (300 channels), samples of more tokens than one partial block, per-sample parameters as [B, C],
 * [B, 1, C] and adaLN's non-contiguous chunks, every output mask, dense and non-contiguous layouts.
 */
class CudaFusedForwardTest {
    private static final DType[] DTYPES = {DType.F32, DType.F64, DType.BF16, DType.F16};
    private static final int[][] MASKS3 = {{1, 1, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}};
    private static final int[][] MASKS2 = {{1, 1}, {1, 0}, {0, 1}};

    private final Random rnd = new Random(67);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        return OpCheck.random(rnd, dt, lo, hi, shape);
    }

    @Test
    void layerNormModulate() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                Tensor x = rand(dt, 1, 5, 3, 37, 300), g = rand(dt, -1, 1, 3, 37, 300);
                Tensor shift = rand(dt, -1, 1, 3, 300), scale = rand(dt, -1, 1, 3, 900).narrow(1, 300, 300);
                DeviceCheck.check(dev, 4, Op.LAYER_NORM_MODULATE, Attrs.of("eps", 1e-6), x, shift, scale);
                for (int[] mask : MASKS3) {
                    DeviceCheck.check(dev, 8, Op.LAYER_NORM_MODULATE_BACKWARD, Attrs.of("eps", 1e-6, "outputMask", mask), g, x, scale);
                }
            }
            Tensor x = rand(DType.F32, -1, 3, 2, 3, 5, 17), g = rand(DType.F32, -1, 1, 2, 3, 5, 17), p = rand(DType.F32, -1, 1, 2, 1, 1, 17);
            DeviceCheck.checkLayouts(dev, 4, Op.LAYER_NORM_MODULATE, Attrs.of("eps", 1e-6), x, rand(DType.F32, -1, 1, 2, 17), p);
            DeviceCheck.checkLayouts(dev, 8, Op.LAYER_NORM_MODULATE_BACKWARD, Attrs.of("eps", 1e-6, "outputMask", new int[] {1, 1, 1}),
                    g, x, p);
        }
    }

    @Test
    void gatedResidual() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                Tensor x = rand(dt, -2, 2, 3, 37, 20), y = rand(dt, -2, 2, 3, 37, 20), g = rand(dt, -1, 1, 3, 37, 20);
                Tensor gate = rand(dt, -1, 1, 3, 60).narrow(1, 40, 20);
                DeviceCheck.check(dev, 1, Op.GATED_RESIDUAL, Attrs.NONE, x, y, gate);
                for (int[] mask : MASKS2) DeviceCheck.check(dev, 8, Op.GATED_RESIDUAL_BACKWARD, Attrs.of("outputMask", mask), g, y, gate);
            }
            Tensor x = rand(DType.F32, -2, 2, 2, 9, 7), p = rand(DType.F32, -1, 1, 2, 1, 7);
            DeviceCheck.checkLayouts(dev, 1, Op.GATED_RESIDUAL, Attrs.NONE, x, rand(DType.F32, -2, 2, 2, 9, 7), p);
            DeviceCheck.checkLayouts(dev, 8, Op.GATED_RESIDUAL_BACKWARD, Attrs.of("outputMask", new int[] {1, 1}),
                    rand(DType.F32, -1, 1, 2, 9, 7), x, p);
        }
    }

    @Test
    void biasGelu() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DTYPES) {
                Tensor x = rand(dt, -5, 5, 41, 37), g = rand(dt, -1, 1, 41, 37), bias = rand(dt, -1, 1, 37);
                for (String form : new String[] {"none", "tanh"}) {
                    DeviceCheck.check(dev, 4, Op.BIAS_GELU, Attrs.of("approximate", form), x, bias);
                    for (int[] mask : MASKS2) {
                        DeviceCheck.check(dev, 8, Op.BIAS_GELU_BACKWARD, Attrs.of("approximate", form, "outputMask", mask), g, x, bias);
                    }
                }
            }
            Tensor x = rand(DType.F32, -4, 4, 3, 5, 17), bias = rand(DType.F32, -1, 1, 17);
            DeviceCheck.checkLayouts(dev, 4, Op.BIAS_GELU, Attrs.of("approximate", "tanh"), x, bias);
            DeviceCheck.checkLayouts(dev, 8, Op.BIAS_GELU_BACKWARD, Attrs.of("approximate", "none", "outputMask", new int[] {1, 1}),
                    rand(DType.F32, -1, 1, 3, 5, 17), x, bias);
        }
    }
}
