package org.ddrl.tensor.reference;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/**
 * Reference MATMUL: the NumPy rules spelled out one step at a time (promote 1-d operands, broadcast the
 * batch dims, triple loop in double, drop the promoted dims, round to the promoted dtype).
 */
final class RefMatmul {
    private RefMatmul() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.MATMUL, (a, in) -> matmul(in[0], in[1]));
    }

    private static RefTensor matmul(RefTensor x, RefTensor y) {
        if (x.rank() == 0 || y.rank() == 0) throw new IllegalArgumentException("matmul: 0-d operand");
        int[] xs = x.rank() == 1 ? new int[] {1, x.shape()[0]} : x.shape();
        int[] ys = y.rank() == 1 ? new int[] {y.shape()[0], 1} : y.shape();
        int m = xs[xs.length - 2], k = xs[xs.length - 1], n = ys[ys.length - 1];
        if (ys[ys.length - 2] != k) throw new IllegalArgumentException("matmul: inner dims differ");
        int[] xb = Arrays.copyOf(xs, xs.length - 2), yb = Arrays.copyOf(ys, ys.length - 2);
        int[] batch = Shapes.broadcast("matmul", xb, yb);
        RefTensor xm = new RefTensor(x.data(), xs, x.dtype());
        RefTensor ym = new RefTensor(y.data(), ys, y.dtype());
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = m;
        full[batch.length + 1] = n;
        DType dt = DType.promote(x.dtype(), y.dtype());
        RefTensor out = RefTensor.zeros(dt, full);
        int[] xi = new int[batch.length + 2], yi = new int[batch.length + 2];
        for (int f = 0; f < out.numel(); f++) {
            int[] oi = out.index(f);
            System.arraycopy(oi, 0, xi, 0, batch.length);
            System.arraycopy(oi, 0, yi, 0, batch.length);
            double s = 0;
            for (int p = 0; p < k; p++) {
                xi[batch.length] = oi[batch.length];
                xi[batch.length + 1] = p;
                yi[batch.length] = p;
                yi[batch.length + 1] = oi[batch.length + 1];
                s += xm.getBroadcast(xi) * ym.getBroadcast(yi);
            }
            out.data()[f] = Reference.round(s, dt);
        }
        int[] shape = batch;
        if (x.rank() > 1) shape = append(shape, m);
        if (y.rank() > 1) shape = append(shape, n);
        return new RefTensor(out.data(), shape, dt);
    }

    private static int[] append(int[] s, int v) {
        int[] r = Arrays.copyOf(s, s.length + 1);
        r[s.length] = v;
        return r;
    }
}
