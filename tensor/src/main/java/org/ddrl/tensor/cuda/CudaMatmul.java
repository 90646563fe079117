package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * MATMUL with NumPy semantics (matmul.cu): [..., m, k] x [..., k, n] with broadcast batch dims; a 1-d left
 * operand is a row [1, k], a 1-d right operand a column [k, 1], and that dim is dropped from the result.
 * Operands are read in place through their strides in any dtype; F32, BF16 and F16 accumulate in float
 * and round once at the end, F64 in double, integers and BOOL exactly in long. BF16 x BF16 and F16 x F16
 * products run on tensor cores, and F32 products in TF32 when allowed ({@link CudaMatmulSettings}).
 */
final class CudaMatmul {
    /** Tensor-core modes of ddrl_matmul_f32 (DDRL_MMA_* in ddrl_gemm.cuh). */
    static final int MMA_NONE = 0, MMA_BF16 = 1, MMA_F16 = 2, MMA_TF32 = 3;
    /** Most blocks along grid y and z. */
    private static final int MAX_GRID_YZ = 65535;

    private CudaMatmul() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.MATMUL, (a, in) -> matmul(b, in[0], in[1]));
    }

    /** One operand as a batch of matrices: element (batch..., i, p) at offset + batch strides + i * rs + p * cs. */
    private record Mat(int[] batch, long[] batchStrides, int rows, int cols, long rs, long cs) {
        static Mat of(Tensor x, boolean left) {
            int[] s = x.shape();
            long[] st = x.strides();
            int r = s.length;
            if (r == 1) return left ? new Mat(new int[0], new long[0], 1, s[0], 0, st[0]) : new Mat(new int[0], new long[0], s[0], 1, st[0], 0);
            return new Mat(Arrays.copyOf(s, r - 2), Arrays.copyOf(st, r - 2), s[r - 2], s[r - 1], st[r - 2], st[r - 1]);
        }

        /** Batch strides read as the broadcast batch shape (0 on broadcast dims). */
        long[] stridesFor(int[] out) {
            long[] st = new long[out.length];
            int lead = out.length - batch.length;
            for (int d = lead; d < out.length; d++) st[d] = batch[d - lead] == 1 ? 0 : batchStrides[d - lead];
            return st;
        }
    }

    private static Tensor matmul(CudaBackend b, Tensor x, Tensor y) {
        if (x.dim() == 0 || y.dim() == 0) {
            throw new IllegalArgumentException("matmul: operands must have at least 1 dim, got " + Views.desc(x) + " and " + Views.desc(y)
                    + " (use mul for scalars)");
        }
        DType out = DType.promote(x.dtype(), y.dtype());
        Mat a = Mat.of(x, true), c = Mat.of(y, false);
        if (a.cols != c.rows) {
            throw new IllegalArgumentException("matmul: inner dims differ, " + Views.desc(x) + " x " + Views.desc(y) + " (" + a.cols
                    + " vs " + c.rows + ")");
        }
        int[] batch = broadcastBatch(x, y, a.batch, c.batch);
        int m = a.rows, n = c.cols, k = a.cols;
        int[] shape = Arrays.copyOf(batch, batch.length + (x.dim() > 1 ? 1 : 0) + (y.dim() > 1 ? 1 : 0));
        if (x.dim() > 1) shape[batch.length] = m;
        if (y.dim() > 1) shape[shape.length - 1] = n;
        Tensor res = b.empty(out, shape);
        if (res.numel() == 0) return res;
        Views.Merged mb = Views.merge(batch, new long[][] {a.stridesFor(batch), c.stridesFor(batch)});
        byte[] av = Views.withMatrix(mb.sizes(), mb.strides()[0], m, k, a.rs, a.cs, x.offset(), x.dtype());
        byte[] bv = Views.withMatrix(mb.sizes(), mb.strides()[1], k, n, c.rs, c.cs, y.offset(), y.dtype());
        long batches = Shapes.numel(batch);
        String suffix = switch (out.computeType()) {
            case F64 -> "f64";
            case I64 -> "i64";
            default -> "f32";
        };
        Launch l = Launch.of(b, "matmul", "ddrl_matmul_" + suffix).grid(gemmGrid(n, m, batches)).block(Dim3.of(256))
                .i64(batches).i32(m).i32(n).i32(k).view(av).ptr(x).view(bv).ptr(y).ptr(res).i32(ViewDesc.code(out));
        if (suffix.equals("f32")) l.i32(mmaMode(x.dtype(), y.dtype(), out));
        l.run();
        return res;
    }

    /** The tensor-core mode for operands of these dtypes with this result dtype, under the current settings. */
    static int mmaMode(DType x, DType y, DType out) {
        if (x == y && x == DType.BF16 && CudaMatmulSettings.tensorCores()) return MMA_BF16;
        if (x == y && x == DType.F16 && CudaMatmulSettings.tensorCores()) return MMA_F16;
        if (out == DType.F32 && CudaMatmulSettings.allowTf32()) return MMA_TF32;
        return MMA_NONE;
    }

    /** Tiles of 64 x 64 over columns (x) and rows (y), problems along z. */
    static Dim3 gemmGrid(long cols, long rows, long problems) {
        long gx = (cols + 63) / 64, gy = (rows + 63) / 64;
        if (gx > Integer.MAX_VALUE || gy > MAX_GRID_YZ) {
            throw new IllegalArgumentException("a product of " + rows + " x " + cols + " is more than one launch covers");
        }
        return new Dim3((int) Math.max(1, gx), (int) Math.max(1, gy), (int) Math.max(1, Math.min(problems, MAX_GRID_YZ)));
    }

    private static int[] broadcastBatch(Tensor x, Tensor y, int[] xb, int[] yb) {
        int nb = Math.max(xb.length, yb.length);
        int[] out = new int[nb];
        for (int d = 0; d < nb; d++) {
            int dx = d < nb - xb.length ? 1 : xb[d - (nb - xb.length)];
            int dy = d < nb - yb.length ? 1 : yb[d - (nb - yb.length)];
            if (dx != dy && dx != 1 && dy != 1) {
                throw new IllegalArgumentException("matmul: batch dims of " + Views.desc(x) + " and " + Views.desc(y)
                        + " cannot be broadcast (batch dim " + d + ": " + dx + " vs " + dy + ")");
            }
            out[d] = dx == 1 ? dy : dx;
        }
        return out;
    }
}
