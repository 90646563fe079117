package org.ddrl.rl.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The PPO clipped loss and its gradient against hand-computed values. */
class PpoLossTest {
    @Test
    void lossClipAndGradientByHand() {
        double eps = 1e-4;
        double[] ratios = {1.1, 0.9, 1.0, 1.00005, 0.5};
        double[] adv = {1, 1, -2, 1, -1};
        double[] lr = new double[ratios.length];
        for (int i = 0; i < lr.length; i++) lr[i] = Math.log(ratios[i]);
        Tensor logRatio = Tensor.of(lr, lr.length).to(DType.F64).requiresGrad(true);
        PpoLoss.Result r = PpoLoss.clipped(logRatio, Tensor.of(adv, adv.length).to(DType.F64), eps);
        // max(-A r, -A clip(r)):
        //  r = 1.1,  A = 1:  max(-1.1, -1.0001) = -1.0001, the clipped branch: no gradient.
        //  r = 0.9,  A = 1:  max(-0.9, -0.9999) = -0.9, unclipped: d/dlogr = -A r = -0.9.
        //  r = 1,    A = -2: max(2, 2) = 2, inside the range: d/dlogr = -A r = 2.
        //  r = 1.00005, A = 1: inside: -1.00005, gradient -1.00005.
        //  r = 0.5,  A = -1: max(0.5, 0.9999) = 0.9999, clipped: no gradient.
        assertArrayEquals(new double[] {-1.0001, -0.9, 2, -1.00005, 0.9999}, r.perSample().toDoubleArray(), 1e-12);
        assertArrayEquals(new boolean[] {true, true, false, false, true}, r.clipped().toBooleanArray());
        r.perSample().sum().backward();
        assertArrayEquals(new double[] {0, -0.9, 2, -1.00005, 0}, logRatio.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void zeroAdvantagesGiveZeroLossAndGradient() {
        Tensor logRatio = Tensor.of(new double[] {0.3, 0, -0.2}, 3).requiresGrad(true);
        PpoLoss.Result r = PpoLoss.clipped(logRatio, Tensor.zeros(DType.F64, 3), 1e-4);
        assertArrayEquals(new double[] {0, 0, 0}, r.perSample().toDoubleArray(), 0);
        r.perSample().sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, logRatio.grad().toDoubleArray(), 0);
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = Tensor.zeros(DType.F32, 3);
        assertThrows(IllegalArgumentException.class, () -> PpoLoss.clipped(x, Tensor.zeros(DType.F32, 2), 1e-4));
        assertThrows(IllegalArgumentException.class, () -> PpoLoss.clipped(x, x, 0));
    }
}
