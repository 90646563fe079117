package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.ddrl.tensor.ConvGeometry;

/**
 * Unfolds conv3d input patches into a matrix the GEMM can multiply by the weight: row r = (c, kd, kh, kw)
 * of the group's kernel taps, column j = output position p0 + j, value x[c, id, ih, iw] at the input
 * position that tap reads (0 where it falls in the padding).
 *
 * <p>When the output rows are as wide as the input rows and both h and w strides are 1 (every "same"
 * 3x3x3 convolution), a tap's row over one output plane is the input plane shifted by a fixed offset:
 * one bulk copy per (row, plane), then the few positions that wrapped around a row edge or fell off the
 * top or bottom are overwritten with zeros. Only the padding touches single elements, and output rows
 * narrower than a vector (W = 8) cost no more than wide ones.
 *
 * <p>Otherwise output positions run along w fastest, so each (row, od, oh) is a run of columns whose input
 * positions advance by the w stride: a plain memory copy when that stride is 1, a strided gather otherwise,
 * with the padded ends of the run zero-filled. Works on 4-byte (F32) and 8-byte (F64) elements as raw bits.
 */
final class Im2col {
    private Im2col() {}

    /** Whether a tap's columns over an output plane are one shifted run of its input plane (see the class comment). */
    static boolean flat(ConvGeometry g) {
        return g.sh() == 1 && g.sw() == 1 && g.ow() == g.w();
    }

    /**
     * Fills rows r0 .. r1 - 1 of the group's cg * kd * kh * kw rows into col (row r at (r - r0) * ld, in
     * elements) for columns p0 .. p0 + cols - 1.
     *
     * @param x    dense input, element size es
     * @param xOff element index of the group's first input channel (n, g * cg, 0, 0, 0)
     */
    static void fill(ConvGeometry g, MemorySegment x, long xOff, int es, MemorySegment col, long ld, long p0, int cols,
                     int r0, int r1) {
        if (flat(g)) {
            fillFlat(g, x, xOff, es, col, ld, p0, cols, r0, r1);
            return;
        }
        int kvol = g.kvol(), khw = g.kh() * g.kw();
        long dhw = g.dhw();
        long hw = (long) g.h() * g.w();
        long ohw = (long) g.oh() * g.ow();
        for (int r = r0; r < r1; r++) {
            int c = r / kvol, t = r % kvol;
            int kd = t / khw, kh = (t / g.kw()) % g.kh(), kw = t % g.kw();
            long chan = xOff + c * dhw;
            long dst = (r - r0) * ld;
            // position of column 0 in the output grid
            int od = (int) (p0 / ohw), oh = (int) ((p0 / g.ow()) % g.oh()), ow = (int) (p0 % g.ow());
            int j = 0;
            while (j < cols) {
                int run = Math.min(g.ow() - ow, cols - j);
                int id = od * g.sd() - g.pd() + kd * g.dd();
                int ih = oh * g.sh() - g.ph() + kh * g.dh();
                long at = dst + j;
                if (id < 0 || id >= g.d() || ih < 0 || ih >= g.h()) {
                    zero(col, at, run, es);
                } else {
                    long src = chan + id * hw + (long) ih * g.w();
                    int sw = g.sw();
                    int iw0 = ow * sw - g.pw() + kw * g.dw();
                    // the columns of this run whose input w lies inside [0, w)
                    int lo = iw0 >= 0 ? 0 : Math.min(run, Math.ceilDiv(-iw0, sw));
                    int hi = iw0 >= g.w() ? lo : Math.max(lo, Math.min(run, Math.ceilDiv(g.w() - iw0, sw)));
                    zero(col, at, lo, es);
                    if (hi > lo && sw == 1) {
                        MemorySegment.copy(x, (src + iw0 + lo) * es, col, (at + lo) * es, (long) (hi - lo) * es);
                    } else if (hi > lo) {
                        gather(x, src + iw0 + (long) lo * sw, sw, col, at + lo, hi - lo, es);
                    }
                    zero(col, at + hi, run - hi, es);
                }
                j += run;
                ow = 0;
                if (++oh == g.oh()) {
                    oh = 0;
                    od++;
                }
            }
        }
    }

    /** {@link #fill} for {@link #flat} geometries. */
    private static void fillFlat(ConvGeometry g, MemorySegment x, long xOff, int es, MemorySegment col, long ld, long p0,
                                 int cols, int r0, int r1) {
        int kvol = g.kvol(), khw = g.kh() * g.kw(), w = g.w();
        long hw = (long) g.h() * w, ohw = (long) g.oh() * w, pEnd = p0 + cols;
        for (int r = r0; r < r1; r++) {
            int c = r / kvol, t = r % kvol;
            int kd = t / khw, kh = (t / g.kw()) % g.kh(), kw = t % g.kw();
            int dy = kh * g.dh() - g.ph(), dx = kw * g.dw() - g.pw();
            long chan = xOff + c * g.dhw();
            long dst = (r - r0) * ld - p0;
            for (long q = p0; q < pEnd; ) {
                long od = q / ohw, planeStart = od * ohw, q1 = Math.min(pEnd, planeStart + ohw);
                int id = (int) od * g.sd() - g.pd() + kd * g.dd();
                if (id < 0 || id >= g.d()) {
                    zero(col, dst + q, (int) (q1 - q), es);
                } else {
                    // in-plane positions [a, b) whose input row ih = oh + dy lies inside the plane
                    long a = q - planeStart, b = q1 - planeStart;
                    long va = Math.clamp((long) -dy * w, a, b), vb = Math.clamp((g.h() - dy) * (long) w, va, b);
                    long base = dst + planeStart;
                    zero(col, base + a, (int) (va - a), es);
                    zero(col, base + vb, (int) (b - vb), es);
                    // input element of in-plane position v: plane + v + dy * w + dx; copy what lies inside the plane
                    long shift = (long) dy * w + dx;
                    long ca = Math.clamp(-shift, va, vb), cb = Math.clamp(hw - shift, ca, vb);
                    long src = chan + (long) id * hw + shift;
                    if (cb > ca) MemorySegment.copy(x, (src + ca) * es, col, (base + ca) * es, (cb - ca) * es);
                    // the columns of each row that wrapped across a row edge
                    if (dx != 0) zeroEdges(col, base, va, vb, w, dx, es);
                }
                q = q1;
            }
        }
    }

    /**
     * Zeroes col[base + v] for the in-plane positions v in [va, vb) whose column, shifted by dx, leaves
     * [0, w): the first -dx columns of each row for dx < 0, the last dx for dx > 0. One or two elements per
     * row for the usual kernels, so written directly rather than through {@link #zero}.
     */
    private static void zeroEdges(MemorySegment col, long base, long va, long vb, int w, int dx, int es) {
        int edge = Math.min(Math.abs(dx), w);
        int c0 = dx < 0 ? 0 : w - edge;
        for (long row = va - va % w; row < vb; row += w) {
            long e0 = Math.max(va, row + c0) + base, e1 = Math.min(vb, row + c0 + edge) + base;
            if (es == 4) {
                for (long e = e0; e < e1; e++) col.setAtIndex(JAVA_INT, e, 0);
            } else {
                for (long e = e0; e < e1; e++) col.setAtIndex(JAVA_LONG, e, 0L);
            }
        }
    }

    private static void zero(MemorySegment col, long at, int n, int es) {
        if (n >= 32) {
            col.asSlice(at * es, (long) n * es).fill((byte) 0);
        } else if (es == 4) {
            for (int i = 0; i < n; i++) col.setAtIndex(JAVA_INT, at + i, 0);
        } else {
            for (int i = 0; i < n; i++) col.setAtIndex(JAVA_LONG, at + i, 0L);
        }
    }

    private static void gather(MemorySegment x, long src, int stride, MemorySegment col, long at, int n, int es) {
        if (es == 4) {
            for (int i = 0; i < n; i++) col.setAtIndex(JAVA_INT, at + i, x.getAtIndex(JAVA_INT, src + (long) i * stride));
        } else {
            for (int i = 0; i < n; i++) col.setAtIndex(JAVA_LONG, at + i, x.getAtIndex(JAVA_LONG, src + (long) i * stride));
        }
    }
}
