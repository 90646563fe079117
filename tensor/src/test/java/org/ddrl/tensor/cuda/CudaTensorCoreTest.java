package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * matmul and conv3d (forward and both gradients) on tensor cores (WMMA for BF16 and F16 operands, TF32 for
 * F32 when allowed) and on the portable path that replaces them, against error bounds computed from an F64 reference (see ddrl_gemm.cuh):
 * for an element with inner dim k and s = sum_k |a_ik b_kj|,
 * <ul>
 *   <li>BF16 / F16: |result - exact| <= k 2^-23 s (float accumulation) plus half an ulp of the output dtype;</li>
 *   <li>TF32: |result - exact| <= (2^-10 + k 2^-23) s (each operand rounded to a 10-bit mantissa).</li>
 * </ul>
 * On the emulated device the WMMA path is software (the emulator's mma.h), so these tests run it in CI;
 * the tests that tell the paths apart by their last bits run there only, since a GPU's tensor cores round
 * differently inside a dot product.
 */
class CudaTensorCoreTest {
    private static final double FLOAT_SUM = Math.scalb(1.0, -23);
    private static final double TF32_ROUNDING = Math.scalb(1.0, -10);

    private final Random rnd = new Random(8);

    /** Operand shapes: ragged tiles, one exact tile, k = 1, 1-d operands, batches with broadcasting, several tiles of rows and columns. */
    private static final int[][][] SHAPES = {{{65, 17}, {17, 70}}, {{16, 16}, {16, 16}}, {{3, 1}, {1, 4}}, {{5}, {5, 3}}, {{4, 9}, {9}},
        {{2, 1, 33, 40}, {3, 40, 47}}, {{130, 20}, {20, 3}}, {{1, 129}, {129, 66}}};

    private Tensor rand(DType dt, int... shape) {
        return OpCheck.random(rnd, dt, -1, 1, shape);
    }

    /** The relative half-ulp of rounding to dt, and its smallest absolute step (subnormals). */
    private static double[] outputRounding(DType dt) {
        return switch (dt) {
            case BF16 -> new double[] {Math.scalb(1.0, -8), 0};
            case F16 -> new double[] {Math.scalb(1.0, -11), Math.scalb(1.0, -25)};
            default -> new double[] {Math.scalb(1.0, -24), 0};
        };
    }

    /**
     * Checks x matmul y on the device (operands moved there, then relaid out as {@code layout} says) against
     * |result - exact| <= operandRounding s + k 2^-23 s + rounding of the output.
     */
    private static void checkBound(Device dev, Tensor x, Tensor y, String layout, double operandRounding) {
        checkBound(dev, Op.MATMUL, Attrs.NONE, x.shape()[x.dim() - 1], layout, operandRounding, x, y);
    }

    /** As above for any GEMM-shaped op with inner dim k: s comes from the op on the inputs' absolute values. */
    private static void checkBound(Device dev, Op op, Attrs attrs, int k, String layout, double operandRounding, Tensor... in) {
        try (Scope scope = Scope.open()) {
            Tensor[] dev_in = new Tensor[in.length];
            RefTensor[] exactIn = new RefTensor[in.length], absIn = new RefTensor[in.length];
            for (int i = 0; i < in.length; i++) {
                dev_in[i] = in[i].to(dev);
                if (!layout.equals("dense")) dev_in[i] = DeviceCheck.relayout(dev_in[i], layout);
                exactIn[i] = RefTensor.of(in[i].to(DType.F64));
                absIn[i] = RefTensor.of(in[i].to(DType.F64).abs());
            }
            Tensor out = org.ddrl.tensor.Dispatch.call(op, attrs, dev_in);
            RefTensor exact = Reference.eval(op, attrs, exactIn), sums = Reference.eval(op, attrs, absIn);
            assertArrayEquals(exact.shape(), out.shape(), "shape");
            double[] rounding = outputRounding(out.dtype());
            double[] got = out.toDoubleArray();
            for (int i = 0; i < got.length; i++) {
                double e = exact.data()[i], s = sums.data()[i];
                double acc = (operandRounding + k * FLOAT_SUM) * s;
                double bound = acc + rounding[0] * (Math.abs(e) + acc) + rounding[1];
                if (!(Math.abs(got[i] - e) <= bound)) {
                    fail(op.opName() + " " + attrs + " on " + org.ddrl.tensor.Dispatch.describe(in) + " " + out.dtype() + " (" + layout + ") on " + dev
                            + ": element " + Arrays.toString(exact.index(i)) + " is " + got[i] + ", exact " + e + ", allowed error " + bound);
                }
            }
        }
    }

    private void checkAllShapes(Device dev, DType dt, double operandRounding) {
        for (int[][] s : SHAPES) {
            Tensor x = rand(dt, s[0]), y = rand(dt, s[1]);
            checkBound(dev, x, y, "dense", operandRounding);
        }
        // transposed, strided and offset operands, read in place
        Tensor x = rand(dt, 2, 33, 21), y = rand(dt, 21, 18);
        for (String layout : new String[] {"transposed", "strided", "offset"}) checkBound(dev, x, y, layout, operandRounding);
        // conv3d and both gradients: grouped, strided, padded and dilated, ragged GEMM tiles
        Attrs a = Attrs.of("stride", new int[] {1, 2, 1}, "padding", new int[] {1, 1, 0}, "dilation", new int[] {1, 1, 2}, "groups", 2);
        int[] xs = {2, 4, 5, 7, 9}, ws = {6, 2, 3, 3, 3};
        Tensor cx = rand(dt, xs), cw = rand(dt, ws), bias = rand(dt, ws[0]);
        int kvol = 27, cg = 2, og = 3;
        checkBound(dev, Op.CONV3D, a, cg * kvol, "dense", operandRounding, cx, cw, bias);
        int[] ys = org.ddrl.tensor.Dispatch.call(Op.CONV3D, a, cx, cw).shape();
        Tensor gy = rand(dt, ys);
        long p = (long) ys[2] * ys[3] * ys[4];
        checkBound(dev, Op.CONV3D_BACKWARD_INPUT, a.with("inputShape", xs), og * kvol, "dense", operandRounding, gy, cw);
        checkBound(dev, Op.CONV3D_BACKWARD_WEIGHT, a.with("weightShape", ws), (int) (xs[0] * p), "dense", operandRounding, cx, gy);
    }

    @Test
    void bf16AndF16ProductsOnTensorCoresStayWithinTheFloatAccumulationBound() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.BF16, DType.F16}) checkAllShapes(dev, dt, 0);
        }
    }

    @Test
    void bf16AndF16ProductsOnThePortablePathWhenTensorCoresAreOff() {
        boolean was = CudaMatmulSettings.setTensorCores(false);
        try {
            for (Device dev : DeviceCheck.devices()) {
                for (DType dt : new DType[] {DType.BF16, DType.F16}) checkAllShapes(dev, dt, 0);
            }
        } finally {
            CudaMatmulSettings.setTensorCores(was);
        }
    }

    @Test
    void tf32ProductsStayWithinTheTf32Bound() {
        boolean was = CudaMatmulSettings.setAllowTf32(true);
        try {
            for (Device dev : DeviceCheck.devices()) checkAllShapes(dev, DType.F32, TF32_ROUNDING);
        } finally {
            CudaMatmulSettings.setAllowTf32(was);
        }
    }

    @Test
    void tf32IsOffByDefault() {
        assertEquals(Boolean.getBoolean("ddrl.cuda.matmul.allowTf32"), CudaMatmulSettings.allowTf32());
        for (Device dev : DeviceCheck.devices()) {
            if (!CudaMatmulSettings.allowTf32()) checkAllShapes(dev, DType.F32, 0);
        }
    }

    /** One row times a column of ones, with the row's values given as multiples of powers of two. */
    private static float product(Device dev, DType dt, double... row) {
        Tensor a = Tensor.of(row, 1, row.length).to(dt).to(dev);
        Tensor b = Tensor.ones(dt, dev, row.length, 1);
        return a.matmul(b).toFloatArray()[0];
    }

    /**
     * Sums that show which path ran. For a = [1, 2^-8, 2^-24 x 14] in BF16, the portable path adds the
     * 2^-24 one by one to 1 + 2^-8, each a tie that rounds back (float), and 1 + 2^-8 rounds to 1 (bf16, tie
     * to even); one WMMA step adds the exact 16-term dot product once, 1 + 2^-8 + 14 2^-24, which rounds up
     * to 1 + 2^-7. The same with 2^-11 in F16. TF32 rounds 1 + 2^-12 to 1 and the tie 1 + 2^-11 away from
     * zero to 1 + 2^-10, where F32 keeps both.
     */
    @Test
    void theEmulatedDeviceRunsTheTensorCorePaths() {
        Device dev = new Device(Device.Kind.CUDA_EMU, 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(DeviceCheck.devices().contains(dev), "the emulated CUDA device is not available");
        double[] bf16 = new double[16], f16 = new double[16];
        Arrays.fill(bf16, Math.scalb(1.0, -24));
        Arrays.fill(f16, Math.scalb(1.0, -24));
        bf16[0] = 1;
        bf16[1] = Math.scalb(1.0, -8);
        f16[0] = 1;
        f16[1] = Math.scalb(1.0, -11);
        assertEquals(1 + Math.scalb(1f, -7), product(dev, DType.BF16, bf16), "bf16 on tensor cores");
        assertEquals(1 + Math.scalb(1f, -10), product(dev, DType.F16, f16), "f16 on tensor cores");
        // the same sum as a 1x1x1 convolution over 16 input channels
        Tensor cx = Tensor.of(bf16, 1, 16, 1, 1, 1).to(DType.BF16).to(dev), cw = Tensor.ones(DType.BF16, dev, 1, 16, 1, 1, 1);
        Attrs pointwise = Attrs.of("stride", new int[] {1, 1, 1}, "padding", new int[] {0, 0, 0}, "dilation", new int[] {1, 1, 1}, "groups", 1);
        assertEquals(1 + Math.scalb(1f, -7), org.ddrl.tensor.Dispatch.call(Op.CONV3D, pointwise, cx, cw).toFloatArray()[0],
                "bf16 conv3d on tensor cores");
        boolean was = CudaMatmulSettings.setTensorCores(false);
        try {
            assertEquals(1f, org.ddrl.tensor.Dispatch.call(Op.CONV3D, pointwise, cx, cw).toFloatArray()[0], "bf16 conv3d on the portable path");
            assertEquals(1f, product(dev, DType.BF16, bf16), "bf16 on the portable path");
            assertEquals(1f, product(dev, DType.F16, f16), "f16 on the portable path");
        } finally {
            CudaMatmulSettings.setTensorCores(was);
        }

        double small = 1 + Math.scalb(1.0, -12), tie = 1 + Math.scalb(1.0, -11);
        boolean tf32 = CudaMatmulSettings.setAllowTf32(false);
        try {
            assertEquals((float) small, product(dev, DType.F32, small), "f32");
            assertEquals(-(float) tie, product(dev, DType.F32, -tie), "f32");
            CudaMatmulSettings.setAllowTf32(true);
            assertEquals(1f, product(dev, DType.F32, small), "tf32 rounds to a 10-bit mantissa");
            assertEquals(-(1 + Math.scalb(1f, -10)), product(dev, DType.F32, -tie), "tf32 rounds ties away from zero");
            // with F32 operands, TF32 shows on ordinary data too: some elements leave the F32 bound
            Tensor x = OpCheck.random(new Random(3), DType.F32, -1.0, 1.0, 40, 64), y = OpCheck.random(new Random(4), DType.F32, -1.0, 1.0, 64, 30);
            double[] got = x.to(dev).matmul(y.to(dev)).toDoubleArray();
            double[] exact = Reference.eval(Op.MATMUL, Attrs.NONE, RefTensor.of(x.to(DType.F64)), RefTensor.of(y.to(DType.F64))).data();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - exact[i]));
            assertTrue(worst > 1e-4, "TF32 products should lose more than F32 ones, largest error " + worst);
        } finally {
            CudaMatmulSettings.setAllowTf32(tf32);
        }
    }
}
