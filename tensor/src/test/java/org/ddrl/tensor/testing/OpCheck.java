package org.ddrl.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.check.Compare;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;

/**
 * Compares a backend against the F64 reference, with the tolerances of {@link Compare} (per result dtype;
 * ops that sum many terms pass a scale factor).
 */
public final class OpCheck {
    private OpCheck() {}

    /** Relative (and absolute) tolerance for results stored in dt. */
    public static double tolerance(DType dt) {
        return Compare.tolerance(dt);
    }

    /** Runs op on the inputs (on their device) and on the reference; fails on any difference beyond tolerance. */
    public static Tensor check(Op op, Attrs attrs, Tensor... inputs) {
        return check(1, op, attrs, inputs);
    }

    /** As check, with the tolerance multiplied by {@code tolScale}. */
    public static Tensor check(double tolScale, Op op, Attrs attrs, Tensor... inputs) {
        RefTensor[] refIn = new RefTensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) refIn[i] = inputs[i] == null ? null : RefTensor.of(inputs[i]);
        RefTensor expected = Reference.eval(op, attrs, refIn);
        Tensor actual = Dispatch.call(op, attrs, inputs);
        assertClose(op.opName() + " " + attrs + " on " + Dispatch.describe(inputs), expected, actual, tolScale);
        return actual;
    }

    public static void assertClose(String what, RefTensor expected, Tensor actual, double tolScale) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double tol = tolerance(actual.dtype()) * tolScale;
        double[] a = actual.toDoubleArray();
        double[] e = expected.data();
        for (int i = 0; i < e.length; i++) {
            double x = a[i], y = e[i];
            boolean ok = Double.isNaN(y) ? Double.isNaN(x)
                    : Double.isInfinite(y) ? x == y
                    : Math.abs(x - y) <= tol + tol * Math.abs(y);
            if (!ok) {
                fail(what + ": element " + i + " " + Arrays.toString(expected.index(i)) + " is " + x + ", expected " + y
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /** Uniform values in [lo, hi) of the given dtype (integers: whole numbers in that range). */
    public static Tensor random(Random rnd, DType dt, double lo, double hi, int... shape) {
        long n = Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            double u = lo + (hi - lo) * rnd.nextDouble();
            v[i] = dt.isFloatingPoint() ? u : dt == DType.BOOL ? (rnd.nextBoolean() ? 1 : 0) : Math.floor(u);
        }
        return Tensor.of(v, shape).to(dt);
    }

    /** Standard-normal-ish values in [-2, 2). */
    public static Tensor random(Random rnd, DType dt, int... shape) {
        return random(rnd, dt, -2, 2, shape);
    }

    /**
     * The same values as t, in a non-contiguous layout of the given kind: "transposed" (stored with its
     * last two dims swapped), "strided" (every other element of a larger buffer) or "offset" (a slice
     * that does not start at element 0).
     */
    public static Tensor relayout(Tensor t, String kind) {
        int r = t.dim();
        switch (kind) {
            case "transposed" -> {
                if (r < 2) return relayout(t, "strided");
                Tensor stored = t.transpose(r - 2, r - 1).contiguous();
                return stored.transpose(r - 2, r - 1);
            }
            case "strided" -> {
                if (r == 0) return relayout(t, "offset");
                int[] big = t.shape();
                big[r - 1] *= 2;
                Tensor buf = Tensor.zeros(t.dtype(), Device.CPU, big).to(t.device());
                Tensor view = buf.slice(r - 1, 0, big[r - 1], 2);
                copyInto(t, view);
                return view;
            }
            case "offset" -> {
                int[] big = t.shape();
                Tensor flat = Tensor.zeros(t.dtype(), t.device(), (int) t.numel() + 3);
                Tensor view = flat.slice(0, 3, flat.size(0)).view(big);
                copyInto(t, view);
                return view;
            }
            default -> throw new IllegalArgumentException("relayout: unknown kind " + kind);
        }
    }

    /** Writes src's values into the view dst through a reference round trip (tests only). */
    private static void copyInto(Tensor src, Tensor dst) {
        // Build the values in dst's storage order by placing them through index arithmetic.
        double[] v = src.toDoubleArray();
        int[] shape = dst.shape();
        long[] st = dst.strides();
        Tensor host = dst;
        var seg = ((org.ddrl.tensor.cpu.CpuStorage) host.storage()).segment();
        RefTensor idx = RefTensor.zeros(DType.F64, shape);
        for (int f = 0; f < v.length; f++) {
            int[] ix = idx.index(f);
            long off = dst.offset();
            for (int k = 0; k < ix.length; k++) off += ix[k] * st[k];
            org.ddrl.tensor.cpu.Elements.setD(seg, dst.dtype(), off, v[f]);
        }
    }

    /** Same check on the dense input and on each non-contiguous relayout of every tensor input. */
    public static void checkLayouts(double tolScale, Op op, Attrs attrs, Tensor... inputs) {
        check(tolScale, op, attrs, inputs);
        for (String kind : new String[] {"transposed", "strided", "offset"}) {
            Tensor[] moved = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) moved[i] = inputs[i] == null ? null : relayout(inputs[i], kind);
            check(tolScale, op, attrs, moved);
        }
    }
}
