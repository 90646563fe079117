package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;

/** Properties of the view algebra and of broadcasting, on random shapes and random chains of views. */
class ViewPropertiesTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 5).array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    private static Tensor iota(int[] shape) {
        return Tensor.arange(0, Shapes.numel(shape), 1, DType.F64, Device.CPU).view(shape);
    }

    /** A random chain of views of x, applied both to the tensor and to the reference, which must agree. */
    private static void randomChain(Tensor x, long seed) {
        Random rnd = new Random(seed);
        Tensor t = x;
        RefTensor ref = RefTensor.of(x);
        for (int step = 0; step < 6; step++) {
            int r = t.dim();
            Op op;
            Attrs a;
            int choice = rnd.nextInt(6);
            if (r == 0) choice = 4;
            switch (choice) {
                case 0 -> {
                    List<Integer> p = new ArrayList<>();
                    for (int i = 0; i < r; i++) p.add(i);
                    Collections.shuffle(p, rnd);
                    op = Op.PERMUTE;
                    a = Attrs.of("dims", p.stream().mapToInt(Integer::intValue).toArray());
                }
                case 1 -> {
                    int d = rnd.nextInt(r);
                    int n = t.size(d);
                    long start = rnd.nextInt(n + 1), step2 = 1 + rnd.nextInt(3);
                    op = Op.SLICE;
                    a = Attrs.of("dim", d, "start", start, "end", (long) n, "step", step2);
                }
                case 2 -> {
                    int d = rnd.nextInt(r);
                    if (t.size(d) == 0) continue;
                    op = Op.SELECT;
                    a = Attrs.of("dim", d, "index", (long) rnd.nextInt(t.size(d)));
                }
                case 3 -> {
                    int[] target = t.shape();
                    boolean any = false;
                    for (int i = 0; i < r; i++) if (target[i] == 1) { target[i] = 1 + rnd.nextInt(3); any = true; }
                    if (!any) continue;
                    op = Op.EXPAND;
                    a = Attrs.of("shape", target);
                }
                case 4 -> {
                    op = Op.UNSQUEEZE;
                    a = Attrs.of("dim", rnd.nextInt(r + 1));
                }
                default -> {
                    op = Op.SQUEEZE;
                    a = Attrs.of("dims", new int[0]);
                }
            }
            t = Dispatch.call(op, a, t);
            ref = Reference.eval(op, a, ref);
            assertSame(x.storage(), t.storage(), "a view must share storage: " + op.opName());
            assertArrayEquals(ref.shape(), t.shape(), op.opName() + " " + a);
            assertArrayEquals(ref.data(), t.toDoubleArray(), 0, op.opName() + " " + a);
            // reshape to flat and back: a view when the strides allow it, else a copy; same values either way
            Tensor flat = t.reshape(-1);
            assertArrayEquals(ref.data(), flat.toDoubleArray(), 0);
            if (ViewOps.viewStrides(t.shape(), t.strides(), new int[] {(int) t.numel()}) != null) assertSame(x.storage(), flat.storage());
        }
    }

    @Property(tries = 300)
    void viewChainsMatchTheReference(@ForAll("shapes") int[] shape, @ForAll long seed) {
        randomChain(iota(shape), seed);
    }

    @Property(tries = 200)
    void permuteThenInverseIsIdentity(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = iota(shape);
        int r = shape.length;
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < r; i++) p.add(i);
        Collections.shuffle(p, new Random(seed));
        int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
        int[] inv = new int[r];
        for (int i = 0; i < r; i++) inv[perm[i]] = i;
        Tensor back = x.permute(perm).permute(inv);
        assertArrayEquals(x.shape(), back.shape());
        assertArrayEquals(x.strides(), back.strides());
        assertArrayEquals(x.toDoubleArray(), back.toDoubleArray(), 0);
    }

    @Property(tries = 200)
    void viewOfPermutedWorksExactlyWhenStridesAllow(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = iota(shape).permute(reversed(shape.length));
        int[] target = regroup(x.shape(), new Random(seed));
        long[] s = ViewOps.viewStrides(x.shape(), x.strides(), target);
        if (s == null) {
            assertThrows(IllegalArgumentException.class, () -> x.view(target));
        } else {
            assertArrayEquals(x.contiguous().toDoubleArray(), x.view(target).toDoubleArray(), 0);
        }
        assertArrayEquals(x.contiguous().toDoubleArray(), x.reshape(target).toDoubleArray(), 0);
    }

    private static int[] reversed(int r) {
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = r - 1 - i;
        return p;
    }

    /** A random shape with the same element count: merge neighbours and split off factors. */
    private static int[] regroup(int[] shape, Random rnd) {
        List<Integer> dims = new ArrayList<>();
        for (int d : shape) dims.add(d);
        for (int k = 0; k < 3 && dims.size() > 1; k++) {
            int i = rnd.nextInt(dims.size() - 1);
            dims.set(i, dims.get(i) * dims.remove(i + 1));
        }
        if (rnd.nextBoolean()) dims.add(rnd.nextInt(dims.size() + 1), 1);
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 300)
    void broadcastingIsSymmetricAndExpandable(@ForAll("shapes") int[] a, @ForAll("shapes") int[] b) {
        int[] ab;
        try {
            ab = Shapes.broadcast("test", a, b);
        } catch (IllegalArgumentException e) {
            assertThrows(IllegalArgumentException.class, () -> Shapes.broadcast("test", b, a));
            return;
        }
        assertArrayEquals(ab, Shapes.broadcast("test", b, a));
        assertEquals(Math.max(a.length, b.length), ab.length);
        Tensor ta = iota(a);
        Tensor ea = ta.expand(ab);
        RefTensor ref = Reference.eval(Op.EXPAND, Attrs.of("shape", ab), RefTensor.of(ta));
        assertArrayEquals(ref.data(), ea.toDoubleArray(), 0, Arrays.toString(a) + " -> " + Arrays.toString(ab));
    }
}
