package org.ddrl.tensor.cpu;

/**
 * The iteration space of a two-view copy after merging dims: a dim is folded into the next one when both
 * views step over them as one run (stride[i] == stride[i + 1] * size[i + 1] in each), and size-1 dims
 * are dropped. Always at least one dim.
 */
record Layout(int[] shape, long[] srcStrides, long[] dstStrides) {
    static Layout coalesce(int[] shape, long[] src, long[] dst) {
        int r = shape.length;
        int[] sh = new int[Math.max(r, 1)];
        long[] ss = new long[sh.length], ds = new long[sh.length];
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (shape[i] == 1) continue;
            if (n > 0 && ss[n - 1] == src[i] * shape[i] && ds[n - 1] == dst[i] * shape[i]) {
                sh[n - 1] *= shape[i];
                ss[n - 1] = src[i];
                ds[n - 1] = dst[i];
            } else {
                sh[n] = shape[i];
                ss[n] = src[i];
                ds[n] = dst[i];
                n++;
            }
        }
        if (n == 0) return new Layout(new int[] {1}, new long[] {1}, new long[] {1});
        return new Layout(java.util.Arrays.copyOf(sh, n), java.util.Arrays.copyOf(ss, n), java.util.Arrays.copyOf(ds, n));
    }
}
