package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;

/**
 * OpCheck for CUDA devices: inputs are built on the CPU, the reference runs on them, the op runs on the
 * device on copies moved there, in dense and in non-contiguous layouts made on the device.
 */
final class DeviceCheck {
    private DeviceCheck() {}

    /** The CUDA-kind devices to test on; skips the calling test (with the reason) when there is none. */
    static List<Device> devices() {
        List<Device> d = CudaDevices.available();
        assumeTrue(!d.isEmpty(), CudaDevices::whyNone);
        return d;
    }

    /** op on the device against the reference on the CPU inputs; returns the device result. */
    static Tensor check(Device dev, double tolScale, Op op, Attrs attrs, Tensor... cpu) {
        Tensor[] in = new Tensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) in[i] = cpu[i] == null ? null : cpu[i].to(dev);
        return checkOn(tolScale, op, attrs, cpu, in);
    }

    private static Tensor checkOn(double tolScale, Op op, Attrs attrs, Tensor[] cpu, Tensor[] in) {
        RefTensor[] ref = new RefTensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) ref[i] = cpu[i] == null ? null : RefTensor.of(cpu[i]);
        RefTensor expected = Reference.eval(op, attrs, ref);
        Tensor actual = Dispatch.call(op, attrs, in);
        OpCheck.assertClose(op.opName() + " " + attrs + " on " + Dispatch.describe(in), expected, actual, tolScale);
        return actual;
    }

    /** check on the dense inputs and on each device relayout (transposed, strided, offset) of every input. */
    static void checkLayouts(Device dev, double tolScale, Op op, Attrs attrs, Tensor... cpu) {
        try (Scope scope = Scope.open()) {
            check(dev, tolScale, op, attrs, cpu);
            for (String kind : new String[] {"transposed", "strided", "offset"}) {
                Tensor[] in = new Tensor[cpu.length];
                for (int i = 0; i < cpu.length; i++) in[i] = cpu[i] == null ? null : relayout(cpu[i].to(dev), kind);
                checkOn(tolScale, op, attrs, cpu, in);
            }
        }
    }

    /** The same values as the device tensor t in a non-contiguous layout (see OpCheck.relayout), built on t's device. */
    static Tensor relayout(Tensor t, String kind) {
        int r = t.dim();
        switch (kind) {
            case "transposed" -> {
                if (r < 2) return relayout(t, "strided");
                return t.transpose(r - 2, r - 1).contiguous().transpose(r - 2, r - 1);
            }
            case "strided" -> {
                if (r == 0) return relayout(t, "offset");
                int[] big = t.shape();
                big[r - 1] *= 2;
                Tensor view = Tensor.zeros(t.dtype(), t.device(), big).slice(r - 1, 0, big[r - 1], 2);
                return view.copyFrom(t);
            }
            case "offset" -> {
                Tensor flat = Tensor.zeros(t.dtype(), t.device(), (int) t.numel() + 3);
                return flat.slice(0, 3, flat.size(0)).view(t.shape()).copyFrom(t);
            }
            default -> throw new IllegalArgumentException("relayout: unknown kind " + kind);
        }
    }
}
