package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.check.Compare;
import org.ddrl.tensor.check.OpSamples;
import org.ddrl.tensor.reference.RefTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backward conformance of the CUDA kernels: for every differentiable op, the gradients computed on each
 * available CUDA-kind device (the emulator in CI, a GPU where present) equal the CPU's, in F64, through the
 * same derivative rules. The CPU's gradients are themselves gradchecked in DerivativeCatalogTest.
 */
class DeviceGradientTest {
    static Stream<Op> differentiableOps() {
        return Stream.of(Op.values()).filter(Op::differentiable);
    }

    private static List<Device> devices() {
        List<Device> out = new ArrayList<>();
        if (Backends.available(Device.Kind.CUDA_EMU)) out.add(Device.parse("cuda-emu:0"));
        if (Backends.available(Device.Kind.CUDA)) out.add(Device.cuda(0));
        assumeTrue(!out.isEmpty(), "no CUDA-kind device: the emulator was not built (g++ missing) and there is no GPU");
        return out;
    }

    /** Gradients of sum(op(inputs) * v) with respect to every floating input, computed on device. */
    private static Tensor[] gradients(Op op, OpSamples.Sample s, Tensor v, Device device) {
        Tensor[] in = new Tensor[s.inputs().length];
        Tensor[] leaves = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            Tensor t = s.inputs()[i];
            if (t == null) continue;
            Tensor moved = (t.dtype().isFloatingPoint() ? t.to(DType.F64) : t).to(device);
            if (moved.dtype().isFloatingPoint()) {
                leaves[i] = moved == t ? moved.copy() : moved; // never mark the shared sample tensor itself
                leaves[i].requiresGrad(true);
                in[i] = leaves[i];
            } else {
                in[i] = moved;
            }
        }
        var attrs = op.kind() == Op.Kind.CREATION ? s.attrs().with("device", device) : s.attrs();
        Dispatch.call(op, attrs, in).mul(v.to(device)).sum().backward();
        Tensor[] grads = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) if (leaves[i] != null) grads[i] = leaves[i].grad();
        return grads;
    }

    @ParameterizedTest
    @MethodSource("differentiableOps")
    void gradientsMatchTheCpu(Op op) {
        List<Device> devices = devices();
        OpSamples.Sample s = OpSamples.sample(op, new Random(11), DType.F64);
        Tensor probe = Dispatch.call(op, s.attrs(), s.inputs());
        Random rnd = new Random(12);
        double[] vv = new double[(int) probe.numel()];
        for (int j = 0; j < vv.length; j++) vv[j] = rnd.nextGaussian();
        Tensor v = Tensor.of(vv, probe.shape().length == 0 ? new int[0] : probe.shape());
        Tensor[] cpu = gradients(op, s, v, Device.CPU);
        for (Device d : devices) {
            Tensor[] dev = gradients(op, s, v, d);
            for (int i = 0; i < cpu.length; i++) {
                if (cpu[i] == null) continue;
                assertNotNull(dev[i], op.opName() + " on " + d + ": input " + i + " got no gradient");
                double err = Compare.maxScaledError(RefTensor.of(cpu[i]), dev[i], 1e3);
                assertTrue(err <= 1, op.opName() + " on " + d + ": gradient of input " + i + " differs from the CPU's (scaled error " + err + ")");
            }
        }
    }
}
