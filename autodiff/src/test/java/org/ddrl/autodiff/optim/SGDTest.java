package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SGD against PyTorch's rule written out by hand in doubles. */
class SGDTest {
    // loss(p) = sum(A p^2 + B p), so grad = 2 A p + B: the gradient follows the parameter like a real loss's
    static final double[] A = {0.5, 1.5, -0.25};
    static final double[] B = {0.3, -0.7, 1.1};
    static final double[] P0 = {1.0, -2.0, 0.5};

    static void backward(Tensor p) {
        Tensor a = Tensor.of(A).to(p.dtype()), b = Tensor.of(B).to(p.dtype());
        p.mul(p).mul(a).add(p.mul(b)).sum().backward();
    }

    /** Three steps of torch.optim.SGD on the loss above, in plain doubles. */
    static double[] handSgd(double lr, double momentum, double dampening, double wd, boolean nesterov, int steps) {
        double[] p = P0.clone();
        double[] buf = null;
        for (int s = 0; s < steps; s++) {
            double[] d = new double[3];
            for (int i = 0; i < 3; i++) d[i] = 2 * A[i] * p[i] + B[i] + wd * p[i];
            if (momentum != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < 3; i++) buf[i] = momentum * buf[i] + (1 - dampening) * d[i];
                }
                for (int i = 0; i < 3; i++) d[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
            }
            for (int i = 0; i < 3; i++) p[i] -= lr * d[i];
        }
        return p;
    }

    static double[] run(DType dtype, SGD.Options options, int steps) {
        Tensor p = Tensor.of(P0).to(dtype).requiresGrad(true);
        SGD opt = new SGD(Map.of("p", p), options);
        for (int s = 0; s < steps; s++) {
            backward(p);
            opt.step();
            opt.zeroGrad();
        }
        return p.toDoubleArray();
    }

    @Test
    void plainStepsMatchHandComputation() {
        assertArrayEquals(handSgd(0.1, 0, 0, 0, false, 3), run(DType.F64, new SGD.Options().lr(0.1), 3), 1e-15);
    }

    @Test
    void momentumWithDampeningAndWeightDecayMatchHandComputation() {
        double[] want = handSgd(0.05, 0.9, 0.1, 0.01, false, 3);
        assertArrayEquals(want, run(DType.F64, new SGD.Options().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01), 3), 1e-15);
        assertArrayEquals(want, run(DType.F32, new SGD.Options().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01), 3), 2e-6);
    }

    @Test
    void nesterovMatchesHandComputation() {
        double[] want = handSgd(0.05, 0.9, 0, 0.05, true, 3);
        assertArrayEquals(want, run(DType.F64, new SGD.Options().lr(0.05).momentum(0.9).weightDecay(0.05).nesterov(true), 3), 1e-15);
        // nesterov really changes the trajectory
        double[] heavyBall = handSgd(0.05, 0.9, 0, 0.05, false, 3);
        assertTrue(Math.abs(want[1] - heavyBall[1]) > 1e-3);
    }

    @Test
    void momentumBufferStartsAsTheFirstGradientAndIsKeptInState() {
        Tensor p = Tensor.of(P0).requiresGrad(true);
        SGD opt = new SGD(List.of(p), new SGD.Options().lr(0.1).momentum(0.9).dampening(0.5));
        backward(p);
        opt.step();
        // the first buffer is the undampened gradient, as PyTorch's
        double[] g = new double[3];
        for (int i = 0; i < 3; i++) g[i] = 2 * A[i] * P0[i] + B[i];
        ParamState st = opt.state("0");
        assertArrayEquals(g, st.get(SGD.MOMENTUM_BUFFER).toDoubleArray(), 0);
        assertEquals(1, st.step());
        assertEquals(DType.F64, st.get(SGD.MOMENTUM_BUFFER).dtype());
    }

    @Test
    void withoutMomentumThereIsNoState() {
        Tensor p = Tensor.of(P0).requiresGrad(true);
        SGD opt = new SGD(List.of(p), new SGD.Options().lr(0.1));
        backward(p);
        opt.step();
        assertTrue(opt.state("0").buffers().isEmpty());
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Tensor used = Tensor.of(P0).requiresGrad(true);
        Tensor unused = Tensor.of(new double[] {4, 5}).requiresGrad(true);
        SGD opt = new SGD(List.of(used, unused), new SGD.Options().lr(0.1).momentum(0.9).weightDecay(0.1));
        backward(used);
        opt.step();
        assertArrayEquals(new double[] {4, 5}, unused.toDoubleArray(), 0);
        assertNull(opt.state("1"));
        assertArrayEquals(handSgd(0.1, 0.9, 0, 0.1, false, 1), used.toDoubleArray(), 1e-15);
    }

    @Test
    void invalidOptionsAreRefused() {
        Tensor p = Tensor.of(P0).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), new SGD.Options().nesterov(true)));
        assertTrue(e.getMessage().contains("nesterov") && e.getMessage().contains("group 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), new SGD.Options().lr(-1)));
        assertTrue(e.getMessage().contains("learning rate -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(p), new SGD.Options().momentum(0.9).dampening(0.1).nesterov(true)));
        assertTrue(e.getMessage().contains("dampening 0.1"), e.getMessage());
    }
}
