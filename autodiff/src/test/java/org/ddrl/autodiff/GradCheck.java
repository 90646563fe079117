package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * Finite-difference check of a derivative rule in F64: the analytic gradient of sum(op(inputs) * v) for a
 * random v against central differences, on up to {@code probes} random elements of every floating input.
 * An input that was a non-contiguous view in the sample stays one: it is a transposed view of its leaf,
 * so the gradient also flows through that view.
 */
final class GradCheck {
    private GradCheck() {}

    static void check(String what, Op op, Attrs attrs, Tensor[] sample, long seed, int probes) {
        Random rnd = new Random(seed);
        int n = sample.length;
        Tensor[] leaves = new Tensor[n];
        Tensor[] inputs = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor t = sample[i];
            if (t == null || !t.dtype().isFloatingPoint()) {
                inputs[i] = t;
                continue;
            }
            boolean transposed = !t.isContiguous() && t.dim() >= 2;
            Tensor base = transposed ? t.transpose(-2, -1).contiguous() : t;
            leaves[i] = base.to(DType.F64).copy().requiresGrad(true);
            inputs[i] = transposed ? leaves[i].transpose(-2, -1) : leaves[i];
        }
        Tensor out = Dispatch.call(op, attrs, inputs);
        double[] vv = new double[(int) out.numel()];
        for (int j = 0; j < vv.length; j++) vv[j] = rnd.nextGaussian();
        Tensor v = Tensor.of(vv, out.shape().length == 0 ? new int[0] : out.shape());
        out.mul(v).sum().backward();
        for (int i = 0; i < n; i++) {
            if (leaves[i] == null) continue;
            Tensor leaf = leaves[i];
            assertNotNull(leaf.grad(), what + ": input " + i + " got no gradient");
            double[] analytic = leaf.grad().toDoubleArray();
            double[] x = leaf.toDoubleArray();
            int count = Math.min(probes, x.length);
            for (int p = 0; p < count; p++) {
                int j = count == x.length ? p : rnd.nextInt(x.length);
                double h = 1e-6 * Math.max(1, Math.abs(x[j]));
                double fPlus = objective(op, attrs, inputs, leaf, j, x[j] + h, v);
                double fMinus = objective(op, attrs, inputs, leaf, j, x[j] - h, v);
                set(leaf, j, x[j]);
                double numeric = (fPlus - fMinus) / (2 * h);
                double tol = 1e-5 + 1e-4 * Math.abs(numeric);
                if (!(Math.abs(analytic[j] - numeric) <= tol)) {
                    fail(what + ": d/d input " + i + " element " + j + " (of shape " + Arrays.toString(leaf.shape()) + "): analytic "
                            + analytic[j] + ", finite difference " + numeric);
                }
            }
        }
    }

    private static double objective(Op op, Attrs attrs, Tensor[] inputs, Tensor leaf, int j, double value, Tensor v) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            set(leaf, j, value);
            return Dispatch.call(op, attrs, inputs).mul(v).sum().item();
        }
    }

    private static void set(Tensor leaf, int j, double value) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            leaf.view(-1).slice(0, j, j + 1).fill(value);
        }
    }
}
