package org.ddrl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * Kernel outputs come from reused, uninitialized host memory. These tests pin the two promises that
 * makes: a tensor whose storage was released never sees the memory's next owner, and no kernel reads
 * its output before writing it (checked by running the ops whose outputs are zero somewhere, once on
 * clean memory and once with every uninitialized block poisoned to 0xFF, which reads as NaN or -1).
 */
class ReusedMemoryTest {
    @Test
    void releasedTensorThrowsWhileItsMemoryServesTheNextTensor() {
        Tensor stale;
        long address;
        try (Scope s = Scope.open()) {
            stale = Tensor.full(3, DType.F32, Device.CPU, 4099);
            address = CpuTensors.seg(stale).address();
        }
        try (Scope s = Scope.open()) {
            Tensor next = Tensor.full(5, DType.F32, Device.CPU, 4099);
            assertEquals(address, CpuTensors.seg(next).address(), "the released block was reused");
            var e = assertThrows(IllegalStateException.class, () -> stale.add(1));
            assertTrue(e.getMessage().contains("released"), e.getMessage());
            assertThrows(IllegalStateException.class, stale::toFloatArray);
            assertEquals(5f, next.toFloatArray()[4098], "the new owner's data is intact");
        }
    }

    @Test
    void tensorEmptyIsZeroedEvenOnReusedMemory() {
        long address;
        try (Scope s = Scope.open()) {
            Tensor junk = Tensor.full(Double.NaN, DType.F64, Device.CPU, 3, 1001);
            address = CpuTensors.seg(junk).address();
        }
        try (Scope s = Scope.open()) {
            Tensor e = Tensor.empty(DType.F64, Device.CPU, 3, 1001);
            assertEquals(address, CpuTensors.seg(e).address());
            for (double v : e.toDoubleArray()) assertEquals(0.0, v);
        }
    }

    @Test
    void kernelsDoNotReadUninitializedOutputs() {
        boolean was = HostMemory.poison();
        // a scope frees inputs and outputs here, not in a Cleaner while another test counts bytes
        try (Scope scope = Scope.open()) {
            List<Supplier<Tensor>> ops = zeroProducingOps();
            List<double[]> clean = new ArrayList<>();
            HostMemory.setPoison(false);
            for (Supplier<Tensor> op : ops) clean.add(op.get().toDoubleArray());
            HostMemory.setPoison(true);
            for (int i = 0; i < ops.size(); i++) {
                double[] poisoned = ops.get(i).get().toDoubleArray();
                for (double v : poisoned) assertTrue(Double.isFinite(v), "op " + i + " read poisoned output memory");
                assertArrayEquals(clean.get(i), poisoned, "op " + i + " depends on the output's previous content");
            }
        } finally {
            HostMemory.setPoison(was);
        }
    }

    /** Ops whose outputs are zero in places, or that accumulate into their output. */
    private static List<Supplier<Tensor>> zeroProducingOps() {
        Random rnd = new Random(11);
        Tensor x = OpCheck.random(rnd, DType.F32, 2, 3, 4, 5, 6);
        Tensor w = OpCheck.random(rnd, DType.F32, 4, 3, 3, 3, 3);
        Tensor gy = OpCheck.random(rnd, DType.F32, 2, 4, 4, 5, 6);
        Tensor row = OpCheck.random(rnd, DType.F32, 8, 33);
        Tensor gamma = OpCheck.random(rnd, DType.F32, 33);
        Attrs conv = Attrs.of("stride", new int[] {1, 1, 1}, "padding", new int[] {1, 1, 1}, "dilation", new int[] {1, 1, 1},
                "groups", 1);
        return List.of(
                () -> Tensor.zeros(DType.F32, Device.CPU, 7, 9),
                () -> Tensor.zeros(DType.I64, Device.CPU, 3, 5).to(DType.F64),
                () -> Tensor.eye(6, 7, DType.F32, Device.CPU),
                // a weight without bias: the missing bias is zeros
                () -> Functional.layerNorm(row, new int[] {33}, gamma, null, 1e-5),
                // an empty inner dim: every element of the product is an empty sum
                () -> Tensor.zeros(DType.F32, Device.CPU, 4, 0).matmul(Tensor.zeros(DType.F32, Device.CPU, 0, 5)),
                () -> Functional.conv3d(x, w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1),
                // no input channels and no bias: no GEMM runs
                () -> Functional.conv3d(Tensor.zeros(DType.F32, Device.CPU, 1, 0, 3, 3, 3),
                        Tensor.zeros(DType.F32, Device.CPU, 2, 0, 1, 1, 1), null),
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, conv.with("inputShape", x.shape()), gy, w),
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, conv.with("weightShape", w.shape()), x, gy),
                // no keys: the attention output is zero
                () -> Functional.scaledDotProductAttention(OpCheck.random(rnd, DType.F32, 2, 5, 3),
                        Tensor.zeros(DType.F32, Device.CPU, 2, 0, 3), Tensor.zeros(DType.F32, Device.CPU, 2, 0, 4)),
                () -> row.pad(new int[] {2, 3, 1, 1}, "constant", 0),
                () -> Tensor.cat(1, row, Tensor.zeros(DType.F32, Device.CPU, 8, 5)));
    }
}
