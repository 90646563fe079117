package org.ddrl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * A batch of products against one shared right operand (x W^T for x [B, T, C]) runs as a single GEMM over B * T rows
 * when the batches of x follow each other in memory. Checked against the F64 reference, and bit for bit against the
 * batch-by-batch products, for the layouts that fold (contiguous, every other batch, one row per batch, a broadcast
 * row) and those that must not (rows sliced inside each batch, a batched right operand).
 */
class MatmulFoldTest {
    private final Random rnd = new Random(11);

    /** x's batches one by one through 2-d matmuls, stacked: what the folded product must equal exactly. */
    private static float[] perBatch(Tensor x, Tensor w) {
        int m = x.size(-2), k = x.size(-1), n = w.size(1);
        int batches = (int) (x.numel() / ((long) m * k));
        Tensor x3 = x.reshape(batches, m, k);
        float[] out = new float[batches * m * n];
        for (int b = 0; b < batches; b++) {
            float[] c = x3.select(0, b).matmul(w).toFloatArray();
            System.arraycopy(c, 0, out, b * m * n, c.length);
        }
        return out;
    }

    private void checkFolds(Tensor x, Tensor w) {
        Tensor y = x.matmul(w);
        RefTensor want = Reference.eval(Op.MATMUL, Attrs.NONE, RefTensor.of(x), RefTensor.of(w));
        OpCheck.assertClose("folded matmul " + CpuTensors.desc(x) + " x " + CpuTensors.desc(w), want, y, Math.sqrt(x.size(-1)));
        if (x.size(-2) > 1) {
            // With m > 1 each batch alone runs the same blocked GEMM, whose sums do not depend on where a row sits.
            assertArrayEquals(perBatch(x, w), y.toFloatArray(), "the folded product equals the batch-by-batch products");
        }
    }

    @Test
    void linearShapesOfTheTinyDiT() {
        try (Scope s = Scope.open()) {
            Tensor x = OpCheck.random(rnd, DType.F32, 16, 64, 128);
            for (int out : new int[] {384, 128, 512}) {
                Tensor w = OpCheck.random(rnd, DType.F32, out, 128);
                checkFolds(x, w.t()); // x W^T: the weight as a transposed view
                checkFolds(x, w.t().contiguous());
            }
            Tensor h = OpCheck.random(rnd, DType.F32, 16, 64, 512);
            checkFolds(h, OpCheck.random(rnd, DType.F32, 128, 512).t());
        }
    }

    @Test
    void foldableLayouts() {
        try (Scope s = Scope.open()) {
            Tensor w = OpCheck.random(rnd, DType.F32, 33, 9);
            Tensor every2nd = OpCheck.random(rnd, DType.F32, 10, 7, 33).slice(0, 0, 10, 2);
            checkFolds(every2nd, w);
            checkFolds(OpCheck.random(rnd, DType.F32, 6, 1, 33), w); // one row per batch: the batch stride is the row stride
            checkFolds(OpCheck.random(rnd, DType.F32, 1, 1, 33).expand(5, 1, 33), w); // the same row for every batch
            checkFolds(OpCheck.random(rnd, DType.F32, 2, 3, 5, 33), w); // two batch dims
            checkFolds(OpCheck.relayout(OpCheck.random(rnd, DType.F32, 4, 5, 33), "transposed"), w); // column-major rows
            Tensor x64 = OpCheck.random(rnd, DType.F64, 3, 20, 17);
            Tensor w64 = OpCheck.random(rnd, DType.F64, 17, 11);
            OpCheck.check(Op.MATMUL, Attrs.NONE, x64, w64);
        }
    }

    @Test
    void layoutsThatDoNotFoldStillAgree() {
        try (Scope s = Scope.open()) {
            Tensor w = OpCheck.random(rnd, DType.F32, 33, 9);
            Tensor rowsSliced = OpCheck.random(rnd, DType.F32, 4, 12, 33).slice(1, 2, 9); // gaps between the batches
            checkFolds(rowsSliced, w);
            Tensor permuted = OpCheck.random(rnd, DType.F32, 7, 4, 33).transpose(0, 1); // batches interleaved
            checkFolds(permuted, w);
            OpCheck.check(Math.sqrt(33), Op.MATMUL, Attrs.NONE, OpCheck.random(rnd, DType.F32, 4, 7, 33),
                    OpCheck.random(rnd, DType.F32, 4, 33, 9)); // a batched right operand
        }
    }

    @Test
    void sameBitsForEveryThreadCount() {
        int saved = Parallel.threads();
        try (Scope s = Scope.open()) {
            Tensor x = OpCheck.random(rnd, DType.F32, 16, 64, 128);
            Tensor w = OpCheck.random(rnd, DType.F32, 384, 128).t();
            Parallel.setThreads(1);
            float[] one = x.matmul(w).toFloatArray();
            for (int threads : new int[] {2, 3}) {
                Parallel.setThreads(threads);
                assertArrayEquals(one, x.matmul(w).toFloatArray(), threads + " threads");
            }
            assertEquals(16 * 64 * 384, one.length);
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
