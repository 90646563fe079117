package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Losses against their formulas, with reductions, label smoothing, ignored targets and gradients. */
class LossesTest {
    @Test
    void mseReductions() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new double[] {0, 2, 5, 1}, 2, 2);
        assertArrayEquals(new double[] {1, 0, 4, 9}, Losses.mse(a, b, Reduction.NONE).toDoubleArray(), 0);
        assertEquals(14, Losses.mse(a, b, Reduction.SUM).item(), 0);
        assertEquals(3.5, Losses.mse(a, b).item(), 0);
        Tensor leaf = a.copy().requiresGrad(true);
        Losses.mse(leaf, b).backward();
        assertArrayEquals(new double[] {0.5, 0, -1, 1.5}, leaf.grad().toDoubleArray(), 1e-15, "2 (a - b) / n");
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.mse(a, Tensor.zeros(DType.F64, 4)));
        assertTrue(e.getMessage().contains("mse_loss") && e.getMessage().contains("[2, 2]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    /** -log softmax(row)[target], optionally smoothed, per row of a [N, C] array. */
    private static double[] plainCrossEntropy(double[] logits, int classes, long[] target, double eps) {
        int n = target.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, z = 0, meanLogp = 0;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
            for (int c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c] - max);
            double lse = max + Math.log(z);
            for (int c = 0; c < classes; c++) meanLogp += (logits[i * classes + c] - lse) / classes;
            out[i] = (1 - eps) * (lse - logits[i * classes + (int) target[i]]) - eps * meanLogp;
        }
        return out;
    }

    @Test
    void crossEntropyMatchesLogSoftmaxByHand() {
        Tensor logits = Tensor.randn(new Generator(1), DType.F64, Device.CPU, 6, 5);
        long[] target = {0, 4, 2, 2, 1, 3};
        Tensor t = Tensor.of(target);
        double[] expect = plainCrossEntropy(logits.toDoubleArray(), 5, target, 0);
        assertArrayEquals(expect, Losses.crossEntropy(logits, t, Reduction.NONE, 0, Losses.NO_IGNORE).toDoubleArray(), 1e-12);
        double mean = java.util.Arrays.stream(expect).average().orElseThrow();
        assertEquals(mean, Losses.crossEntropy(logits, t).item(), 1e-12);
        assertEquals(mean, Losses.nll(logits.logSoftmax(1), t).item(), 1e-12);

        double[] smooth = plainCrossEntropy(logits.toDoubleArray(), 5, target, 0.1);
        assertEquals(java.util.Arrays.stream(smooth).sum(), Losses.crossEntropy(logits, t, Reduction.SUM, 0.1, Losses.NO_IGNORE).item(), 1e-12);

        // gradient of the mean: (softmax - onehot) / N
        Tensor leaf = logits.copy().requiresGrad(true);
        Losses.crossEntropy(leaf, t).backward();
        double[] p = logits.softmax(1).toDoubleArray(), g = leaf.grad().toDoubleArray();
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 5; c++) assertEquals((p[i * 5 + c] - (c == target[i] ? 1 : 0)) / 6, g[i * 5 + c], 1e-12);
        }
    }

    @Test
    void crossEntropyOverExtraDimsAndIgnoredTargets() {
        // [N, C, L] logits against [N, L] targets equal the [N * L, C] case
        Tensor logits = Tensor.randn(new Generator(2), DType.F64, Device.CPU, 2, 4, 3);
        long[] target = {3, -100, 0, 1, 2, -100};
        Tensor t = Tensor.of(target, 2, 3);
        Tensor rows = logits.transpose(1, 2).reshape(6, 4);
        double[] perRow = plainCrossEntropy(rows.toDoubleArray(), 4, new long[] {3, 0, 0, 1, 2, 0}, 0.2);
        double[] got = Losses.crossEntropy(logits, t, Reduction.NONE, 0.2, -100).toDoubleArray();
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            double expect = target[i] == -100 ? 0 : perRow[i];
            assertEquals(expect, got[i], 1e-12, "position " + i);
            sum += expect;
        }
        assertEquals(sum / 4, Losses.crossEntropy(logits, t, Reduction.MEAN, 0.2, -100).item(), 1e-12, "the mean counts the 4 real targets");
        assertEquals(sum / 4, Losses.crossEntropy(logits, t.to(DType.I32), Reduction.MEAN, 0.2, -100).item(), 1e-12);
    }

    @Test
    void classLossErrorsNameTheProblem() {
        Tensor logits = Tensor.zeros(3, 4);
        var range = assertThrows(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 4, 1})));
        assertTrue(range.getMessage().contains("target class 4 is out of range for 4 classes"), range.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 1})));
        assertTrue(shape.getMessage().contains("cross_entropy") && shape.getMessage().contains("[3, 4]") && shape.getMessage().contains("[2]"),
                shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.nll(logits, Tensor.zeros(3)));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2}), Reduction.MEAN, 1.5, -100));
    }
}
