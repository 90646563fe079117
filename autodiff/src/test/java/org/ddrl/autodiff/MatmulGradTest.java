package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Gradients of matmul where one side is batched and the other is a plain matrix or vector: the weight's gradient is
 * taken as one product over the folded batch, which must agree with finite differences and with the per-batch sum.
 */
class MatmulGradTest {
    private static Tensor rand(Random r, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
        return Tensor.of(v, shape);
    }

    private static void gradcheck(String what, Tensor a, Tensor b) {
        GradCheck.check(what, Op.MATMUL, Attrs.NONE, new Tensor[] {a, b}, 7, 24);
    }

    @Test
    void batchedTimesMatrix() {
        Random r = new Random(1);
        gradcheck("[3,4,5] x [5,6]", rand(r, 3, 4, 5), rand(r, 5, 6));
        gradcheck("[2,3,4,5] x [5,2]", rand(r, 2, 3, 4, 5), rand(r, 5, 2));
        gradcheck("[3,4,5] x [5]", rand(r, 3, 4, 5), rand(r, 5));
        gradcheck("[3,4,5] x transposed [6,5]", rand(r, 3, 4, 5), rand(r, 6, 5).transpose(0, 1));
        gradcheck("transposed [3,5,4] x [5,6]", rand(r, 3, 5, 4).transpose(1, 2), rand(r, 5, 6));
    }

    @Test
    void foldedWeightGradientEqualsThePerBatchSum() {
        Random r = new Random(2);
        Tensor a = rand(r, 4, 7, 9), w = rand(r, 9, 3).requiresGrad(true), g = rand(r, 4, 7, 3);
        a.matmul(w).mul(g).sum().backward();
        Tensor expected = Tensor.zeros(DType.F64, 9, 3);
        for (int i = 0; i < 4; i++) expected = expected.add(a.select(0, i).transpose(0, 1).matmul(g.select(0, i)));
        double[] got = w.grad().toDoubleArray(), want = expected.toDoubleArray();
        assertArrayEquals(want, got, 1e-12);
    }
}
