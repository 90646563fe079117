package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** AdamW against PyTorch's rule written out by hand in doubles. */
class AdamWTest {
    static final double[] P0 = {1.0, -2.0, 0.5};
    // gradients that shrink then grow, so v decreases at step 2 and amsgrad's running max differs from v
    static final double[][] GRADS = {{3.0, -1.0, 0.5}, {0.125, 0.25, -0.0625}, {0.5, -2.0, 0.25}};

    /** torch.optim.AdamW, in plain doubles, for the prescribed gradients. */
    static double[] handAdamW(double[] p0, double[][] grads, double lr, double b1, double b2, double eps, double wd, boolean amsgrad) {
        return handAdamW(p0, (t, p) -> grads[t - 1], grads.length, lr, b1, b2, eps, wd, amsgrad);
    }

    /** torch.optim.AdamW, in plain doubles; gradient(t, p) gives the gradient of step t at p. */
    static double[] handAdamW(double[] p0, BiFunction<Integer, double[], double[]> gradient, int steps, double lr, double b1, double b2,
            double eps, double wd, boolean amsgrad) {
        double[] p = p0.clone();
        int n = p.length;
        double[] m = new double[n], v = new double[n], vmax = new double[n];
        for (int t = 1; t <= steps; t++) {
            double[] g = gradient.apply(t, p.clone());
            for (int i = 0; i < n; i++) {
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                vmax[i] = Math.max(vmax[i], v[i]);
                double vh = amsgrad ? vmax[i] : v[i];
                double denom = Math.sqrt(vh) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        return p;
    }

    static Tensor run(Tensor p, AdamW opt, double[][] grads) {
        for (double[] g : grads) {
            p.setGrad(Tensor.of(g).to(p.dtype()));
            opt.step();
        }
        return p;
    }

    static Tensor param(DType dtype) {
        return Tensor.of(P0).to(dtype).requiresGrad(true);
    }

    @Test
    void threeStepsMatchHandComputation() {
        double[] want = handAdamW(P0, GRADS, 0.01, 0.9, 0.5, 1e-8, 0.1, false);
        Tensor p = param(DType.F64);
        run(p, new AdamW(List.of(p), new AdamW.Options().lr(0.01).betas(0.9, 0.5).weightDecay(0.1)), GRADS);
        assertArrayEquals(want, p.toDoubleArray(), 1e-15);
        Tensor p32 = param(DType.F32);
        run(p32, new AdamW(List.of(p32), new AdamW.Options().lr(0.01).betas(0.9, 0.5).weightDecay(0.1)), GRADS);
        assertArrayEquals(want, p32.toDoubleArray(), 1e-6);
    }

    @Test
    void amsgradMatchesHandComputationAndDiffersFromAdam() {
        double[] want = handAdamW(P0, GRADS, 0.01, 0.9, 0.5, 1e-8, 0.1, true);
        Tensor p = param(DType.F64);
        AdamW opt = new AdamW(List.of(p), new AdamW.Options().lr(0.01).betas(0.9, 0.5).weightDecay(0.1).amsgrad(true));
        run(p, opt, GRADS);
        assertArrayEquals(want, p.toDoubleArray(), 1e-15);
        double[] adam = handAdamW(P0, GRADS, 0.01, 0.9, 0.5, 1e-8, 0.1, false);
        assertTrue(Math.abs(adam[0] - want[0]) > 1e-4, "the gradients were chosen so amsgrad matters");
        assertEquals(3, opt.state("0").buffers().size());
    }

    @Test
    void realGradientsThroughBackward() {
        // loss = sum(A p^2 + B p): the gradient follows the parameter
        Tensor t = param(DType.F64);
        AdamW opt = new AdamW(Map.of("w", t), new AdamW.Options().lr(0.05));
        for (int s = 0; s < 3; s++) {
            SGDTest.backward(t);
            opt.step();
            opt.zeroGrad();
        }
        double[] want = handAdamW(P0, (step, p) -> {
            double[] g = new double[3];
            for (int i = 0; i < 3; i++) g[i] = 2 * SGDTest.A[i] * p[i] + SGDTest.B[i];
            return g;
        }, 3, 0.05, 0.9, 0.999, 1e-8, 1e-2, false);
        assertArrayEquals(want, t.toDoubleArray(), 1e-15);
    }

    @Test
    void biasCorrectionMakesTheFirstStepLrTimesTheSignOfTheGradient() {
        // m_hat = g and v_hat = g^2 at step 1, so the step is lr * g / (|g| + eps), whatever the scale of g
        double[] g = {1e-3, 5, -200};
        Tensor p = Tensor.zeros(DType.F64, Device.CPU, 3).requiresGrad(true);
        AdamW opt = new AdamW(List.of(p), new AdamW.Options().lr(0.1).weightDecay(0).eps(1e-12));
        p.setGrad(Tensor.of(g));
        opt.step();
        assertArrayEquals(new double[] {-0.1, -0.1, 0.1}, p.toDoubleArray(), 1e-9);
    }

    @Test
    void weightDecayIsDecoupledFromTheAdaptiveStep() {
        double lr = 0.01, wd = 0.2;
        Tensor a = param(DType.F64), b = param(DType.F64);
        a.setGrad(Tensor.of(GRADS[0]));
        b.setGrad(Tensor.of(GRADS[0]));
        new AdamW(List.of(a), new AdamW.Options().lr(lr).weightDecay(0)).step();
        new AdamW(List.of(b), new AdamW.Options().lr(lr).weightDecay(wd)).step();
        // the moments never see the decay: the two runs differ by exactly lr * wd * p0
        double[] diff = new double[3], want = new double[3];
        for (int i = 0; i < 3; i++) {
            diff[i] = a.toDoubleArray()[i] - b.toDoubleArray()[i];
            want[i] = lr * wd * P0[i];
        }
        assertArrayEquals(want, diff, 1e-15);
        // with a zero gradient only the decay acts: p (1 - lr wd)^t
        Tensor c = param(DType.F64);
        AdamW opt = new AdamW(List.of(c), new AdamW.Options().lr(lr).weightDecay(wd));
        run(c, opt, new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}});
        double f = Math.pow(1 - lr * wd, 3);
        assertArrayEquals(new double[] {P0[0] * f, P0[1] * f, P0[2] * f}, c.toDoubleArray(), 1e-15);
    }

    @Test
    void parameterGroupsHaveTheirOwnOptions() {
        Tensor w = Tensor.of(new double[] {1, -2, 0.5, 0.25}, 2, 2).requiresGrad(true);
        Tensor bias = Tensor.of(new double[] {0.5, -0.5}).requiresGrad(true);
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("fc.weight", w);
        named.put("fc.bias", bias);
        List<ParamGroup> groups = ParamGroup.weightDecaySplit(named, 0.1);
        groups.get(1).set("lr", 0.05);
        AdamW opt = new AdamW(groups, new AdamW.Options().lr(0.01));
        assertEquals(List.of("fc.weight"), List.copyOf(opt.groups().get(0).params().keySet()));
        assertEquals(List.of("fc.bias"), List.copyOf(opt.groups().get(1).params().keySet()));
        assertEquals(0.0, opt.groups().get(1).getDouble("weight_decay"));
        assertEquals(0.9, opt.groups().get(1).getDouble("beta1"), "unset options come from the defaults");
        double[][] gw = {{0.5, 1, -1, 2}, {1, 1, 1, 1}, {-0.5, 0.25, 0, 3}};
        double[][] gb = {{1, -1}, {0.5, 0.5}, {2, -3}};
        for (int s = 0; s < 3; s++) {
            w.setGrad(Tensor.of(gw[s], 2, 2));
            bias.setGrad(Tensor.of(gb[s]));
            opt.step();
        }
        assertArrayEquals(handAdamW(new double[] {1, -2, 0.5, 0.25}, gw, 0.01, 0.9, 0.999, 1e-8, 0.1, false), w.toDoubleArray(), 1e-15);
        assertArrayEquals(handAdamW(new double[] {0.5, -0.5}, gb, 0.05, 0.9, 0.999, 1e-8, 0.0, false), bias.toDoubleArray(), 1e-15);
        opt.setLr(0.5);
        assertEquals(0.5, opt.groups().get(1).lr());
        assertEquals(0.5, opt.lr());
    }

    @Test
    void unnamedParametersAreNumberedAcrossGroups() {
        Tensor a = param(DType.F32), b = param(DType.F32), c = param(DType.F32);
        AdamW opt = new AdamW(List.of(ParamGroup.of(List.of(a, b)), ParamGroup.of(List.of(c)).set("weight_decay", 0.0)), new AdamW.Options());
        assertEquals(List.of("0", "1", "2"), List.copyOf(opt.params().keySet()));
        assertEquals(c, opt.groups().get(1).params().get("2"));
    }

    @Test
    void halfPrecisionParametersKeepF32MomentsAndRoundOnce() {
        Tensor p = param(DType.BF16);
        AdamW opt = new AdamW(List.of(p), new AdamW.Options().lr(0.01).betas(0.9, 0.5).weightDecay(0.1));
        run(p, opt, GRADS);
        assertEquals(DType.BF16, p.dtype());
        assertEquals(DType.F32, opt.state("0").get(AdamW.EXP_AVG).dtype());
        assertEquals(DType.F32, opt.state("0").get(AdamW.EXP_AVG_SQ).dtype());
        double[] want = handAdamW(P0, GRADS, 0.01, 0.9, 0.5, 1e-8, 0.1, false);
        double[] got = p.toDoubleArray();
        // each step rounds p to BF16 (8 significant bits): within a couple of its ulps of the exact path
        for (int i = 0; i < 3; i++) assertEquals(want[i], got[i], Math.abs(want[i]) * 0x1p-7, "element " + i);
        // the moments themselves saw only exact BF16 gradients: they equal the F32 computation
        double m0 = 0;
        for (int t = 0; t < 3; t++) m0 = 0.9 * m0 + 0.1 * GRADS[t][0];
        assertEquals(m0, opt.state("0").get(AdamW.EXP_AVG).toDoubleArray()[0], 1e-6);
    }

    @Test
    void invalidParametersAndOptionsAreRefused() {
        Tensor p = param(DType.F32);
        var e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p, p), new AdamW.Options()));
        assertTrue(e.getMessage().contains("given twice, as '0' and as '1'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(Tensor.of(P0)), new AdamW.Options()));
        assertTrue(e.getMessage().contains("requires grad"), e.getMessage());
        Tensor nonLeaf = p.mul(2);
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(Map.of("h", nonLeaf), new AdamW.Options()));
        assertTrue(e.getMessage().contains("'h'") && e.getMessage().contains("result of an op"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(ParamGroup.of(List.of(p)).set("momentum", 0.9)), new AdamW.Options()));
        assertTrue(e.getMessage().contains("unknown option 'momentum'") && e.getMessage().contains("beta1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(ParamGroup.of(List.of(p)).set("amsgrad", 1.0)), new AdamW.Options()));
        assertTrue(e.getMessage().contains("'amsgrad' is a flag"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p), new AdamW.Options().betas(0.9, 1.0)));
        assertTrue(e.getMessage().contains("beta2 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.<Tensor>of(), new AdamW.Options()));
        assertTrue(e.getMessage().contains("empty parameter list"), e.getMessage());
    }
}
