package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/** Reference creation, view and copy ops, written as index arithmetic on dense arrays. */
final class RefCore {
    private RefCore() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.FULL, (a, in) -> {
            RefTensor t = RefTensor.zeros(a.dtype("dtype"), a.ints("shape"));
            java.util.Arrays.fill(t.data(), Reference.round(a.d("value"), t.dtype()));
            return t;
        });
        k.put(Op.ARANGE, (a, in) -> {
            RefTensor t = RefTensor.zeros(a.dtype("dtype"), a.i("n"));
            for (int i = 0; i < t.numel(); i++) t.data()[i] = Reference.round(a.d("start") + i * a.d("step"), t.dtype());
            return t;
        });
        k.put(Op.LINSPACE, (a, in) -> {
            int n = a.i("n");
            RefTensor t = RefTensor.zeros(a.dtype("dtype"), n);
            double s = a.d("start"), e = a.d("end");
            for (int i = 0; i < n; i++) t.data()[i] = Reference.round(n == 1 ? s : s + (e - s) * i / (n - 1), t.dtype());
            return t;
        });
        k.put(Op.EYE, (a, in) -> {
            int n = a.i("n"), m = a.i("m");
            RefTensor t = RefTensor.zeros(a.dtype("dtype"), n, m);
            for (int i = 0; i < Math.min(n, m); i++) t.data()[i * m + i] = 1;
            return t;
        });
        k.put(Op.CONTIGUOUS, (a, in) -> in[0]);
        k.put(Op.CAST, (a, in) -> in[0].roundTo(a.dtype("dtype")));
        k.put(Op.ASSIGN, (a, in) -> {
            RefTensor out = RefTensor.zeros(in[0].dtype(), in[0].shape());
            for (int f = 0; f < out.numel(); f++) out.data()[f] = Reference.round(in[1].getBroadcast(out.index(f)), out.dtype());
            return out;
        });
        k.put(Op.VIEW, (a, in) -> new RefTensor(in[0].data(), a.ints("shape"), in[0].dtype()));
        k.put(Op.PERMUTE, RefCore::permute);
        k.put(Op.SLICE, RefCore::slice);
        k.put(Op.SELECT, RefCore::select);
        k.put(Op.EXPAND, RefCore::expand);
        k.put(Op.SQUEEZE, RefCore::squeeze);
        k.put(Op.UNSQUEEZE, (a, in) -> {
            int[] s = in[0].shape();
            int d = Shapes.dim("unsqueeze", a.i("dim"), s.length + 1);
            int[] ns = new int[s.length + 1];
            for (int i = 0, j = 0; i < ns.length; i++) ns[i] = i == d ? 1 : s[j++];
            return new RefTensor(in[0].data(), ns, in[0].dtype());
        });
    }

    private static RefTensor permute(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int[] p = a.ints("dims");
        int r = x.rank();
        int[] ns = new int[r];
        for (int i = 0; i < r; i++) ns[i] = x.shape()[Shapes.dim("permute", p[i], r)];
        RefTensor out = RefTensor.zeros(x.dtype(), ns);
        for (int f = 0; f < out.numel(); f++) {
            int[] oi = out.index(f);
            int[] xi = new int[r];
            for (int i = 0; i < r; i++) xi[Shapes.dim("permute", p[i], r)] = oi[i];
            out.data()[f] = x.data()[x.flat(xi)];
        }
        return out;
    }

    private static RefTensor slice(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int d = Shapes.dim("slice", a.i("dim"), x.rank());
        long n = x.shape()[d], start = a.l("start"), end = a.l("end"), step = a.l("step");
        if (start < 0) start += n;
        if (end < 0) end += n;
        start = Math.max(0, Math.min(start, n));
        end = Math.max(start, Math.min(end, n));
        int[] ns = x.shape().clone();
        ns[d] = (int) ((end - start + step - 1) / step);
        RefTensor out = RefTensor.zeros(x.dtype(), ns);
        for (int f = 0; f < out.numel(); f++) {
            int[] idx = out.index(f);
            idx[d] = (int) (start + idx[d] * step);
            out.data()[f] = x.data()[x.flat(idx)];
        }
        return out;
    }

    private static RefTensor select(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int d = Shapes.dim("select", a.i("dim"), x.rank());
        long i0 = a.l("index");
        int at = (int) (i0 < 0 ? i0 + x.shape()[d] : i0);
        int[] ns = new int[x.rank() - 1];
        for (int k = 0, j = 0; k < x.rank(); k++) if (k != d) ns[j++] = x.shape()[k];
        RefTensor out = RefTensor.zeros(x.dtype(), ns);
        for (int f = 0; f < out.numel(); f++) {
            int[] oi = out.index(f);
            int[] xi = new int[x.rank()];
            for (int k = 0, j = 0; k < x.rank(); k++) xi[k] = k == d ? at : oi[j++];
            out.data()[f] = x.data()[x.flat(xi)];
        }
        return out;
    }

    private static RefTensor expand(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int[] target = a.ints("shape").clone();
        int lead = target.length - x.rank();
        for (int i = lead; i < target.length; i++) if (target[i] == -1) target[i] = x.shape()[i - lead];
        RefTensor out = RefTensor.zeros(x.dtype(), target);
        for (int f = 0; f < out.numel(); f++) out.data()[f] = x.getBroadcast(out.index(f));
        return out;
    }

    private static RefTensor squeeze(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int[] dims = a.ints("dims");
        boolean[] drop = new boolean[x.rank()];
        for (int i = 0; i < x.rank(); i++) drop[i] = dims.length == 0 && x.shape()[i] == 1;
        for (int d : dims) {
            int k = Shapes.dim("squeeze", d, x.rank());
            if (x.rank() > 0) drop[k] = x.shape()[k] == 1;
        }
        int n = 0;
        for (boolean b : drop) if (!b) n++;
        int[] ns = new int[n];
        for (int i = 0, j = 0; i < x.rank(); i++) if (!drop[i]) ns[j++] = x.shape()[i];
        return new RefTensor(x.data(), ns, x.dtype());
    }

}
