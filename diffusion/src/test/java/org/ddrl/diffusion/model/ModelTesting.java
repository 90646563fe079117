package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/** Shared helpers of the model tests. */
final class ModelTesting {
    private ModelTesting() {}

    /** Adds N(0, std^2) noise to every parameter, so zero-initialized layers no longer hide the paths behind them. */
    static void perturb(Module m, double std, Generator gen) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (Tensor p : m.parameters()) p.copyFrom(p.add(Tensor.normal(gen, 0, std, p.dtype(), p.device(), p.shape())));
        }
    }

    /** A text mask [B, L] with the first valid[b] tokens of row b real and the rest padding. */
    static Tensor mask(int length, int... valid) {
        boolean[] m = new boolean[valid.length * length];
        for (int b = 0; b < valid.length; b++) for (int j = 0; j < valid[b]; j++) m[b * length + j] = true;
        return Tensor.of(m, valid.length, length);
    }

    static double maxAbs(Tensor t) {
        return t.abs().max().item();
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        return maxAbs(a.sub(b));
    }

    /**
     * Every parameter has a gradient, and it is not all zeros. The one exception to the second part is the
     * bias of an attention key projection: it adds q . b_k to every score of a query alike, which softmax
     * cancels, so its exact gradient is zero (what backward gives is rounding noise).
     */
    static void assertEveryParameterHasAGradient(Module m) {
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor grad = e.getValue().grad();
            assertNotNull(grad, e.getKey() + " got no gradient");
            if (e.getKey().endsWith("k_proj.bias")) continue;
            assertTrue(maxAbs(grad) > 0, e.getKey() + " got an all-zero gradient");
        }
    }

    /**
     * The gradients of two models with the same parameter names agree to rtol of their scale, plus atol
     * for gradients that are zero up to rounding (attention key biases).
     */
    static void assertSameGradients(Module a, Module b, double rtol, double atol) {
        Map<String, Tensor> pb = b.namedParameters();
        for (Map.Entry<String, Tensor> e : a.namedParameters().entrySet()) {
            Tensor ga = e.getValue().grad(), gb = pb.get(e.getKey()).grad();
            assertNotNull(ga, e.getKey());
            assertNotNull(gb, e.getKey());
            double scale = Math.max(maxAbs(ga), 1e-12);
            double diff = maxAbsDiff(ga.to(DType.F64), gb.to(DType.F64));
            assertTrue(diff <= rtol * scale + atol, e.getKey() + ": gradients differ by " + diff + " (scale " + scale + ")");
        }
        assertEquals(a.namedParameters().keySet(), pb.keySet());
    }
}
