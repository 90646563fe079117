package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.check.Compare;
import org.ddrl.tensor.check.OpSamples;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU self-check's op samples (one call per op, odd sizes, non-contiguous inputs) on every available
 * CUDA-kind device, for each floating dtype, against the F64 reference with the tolerances of
 * {@link Compare} (per result dtype, times the sample's scale for ops that sum many terms). Inputs are built
 * on the CPU and moved with to(device). Ops without a CUDA kernel are listed, not failed:
 * {@link CudaCatalogTest} is the test that requires them.
 */
class CudaConformanceTest {
    private static final DType[] DTYPES = {DType.F32, DType.F64, DType.BF16, DType.F16};

    @TestFactory
    List<DynamicNode> everyOpMatchesTheReference() {
        List<Device> devices = CudaDevices.available();
        if (devices.isEmpty()) {
            // a skipped test that says why, rather than a silently empty factory
            return List.of(DynamicTest.dynamicTest("no CUDA-kind device", () -> assumeTrue(false, CudaDevices::whyNone)));
        }
        List<DynamicNode> out = new ArrayList<>();
        for (Device device : devices) {
            List<String> missing = new ArrayList<>();
            List<DynamicNode> perDtype = new ArrayList<>();
            for (DType dt : DTYPES) {
                List<DynamicNode> tests = new ArrayList<>();
                for (Op op : Op.values()) {
                    if (!OpSamples.has(op)) continue;
                    if (op.kind() != Op.Kind.VIEW && Backends.of(device).kernel(op) == null) {
                        if (dt == DTYPES[0]) missing.add(op.opName());
                        continue;
                    }
                    tests.add(DynamicTest.dynamicTest(op.opName(), () -> check(device, op, dt)));
                }
                perDtype.add(DynamicContainer.dynamicContainer(dt.name().toLowerCase(), tests));
            }
            if (!missing.isEmpty()) System.out.println("ops without a CUDA kernel on " + device + " (not checked): " + missing);
            out.add(DynamicContainer.dynamicContainer(device.toString(), perDtype));
        }
        return out;
    }

    private static void check(Device device, Op op, DType dt) {
        try (Scope scope = Scope.open()) {
            OpSamples.Sample s = OpSamples.sample(op, new Random(1234 + op.ordinal()), dt);
            Tensor[] in = new Tensor[s.inputs().length];
            RefTensor[] ref = new RefTensor[in.length];
            for (int i = 0; i < in.length; i++) {
                Tensor t = s.inputs()[i];
                in[i] = t == null ? null : t.to(device);
                ref[i] = t == null ? null : RefTensor.of(t);
            }
            var attrs = op.kind() == Op.Kind.CREATION ? s.attrs().with("device", device) : s.attrs();
            RefTensor expected = Reference.eval(op, attrs, ref);
            Tensor actual = Dispatch.call(op, attrs, in);
            assertTrue(actual.device().equals(device), op.opName() + " ran on " + actual.device());
            double err = Compare.maxScaledError(expected, actual, s.tolScale());
            assertTrue(err <= 1, op.opName() + " " + dt + " on " + device + " (" + Dispatch.describe(in) + "): error " + err
                    + " times the tolerance " + Compare.tolerance(actual.dtype()) * s.tolScale());
        }
    }
}
