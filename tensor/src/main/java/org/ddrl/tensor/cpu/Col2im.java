package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.ConvGeometry;

/**
 * The adjoint of {@link Im2col}: adds each entry of a column matrix (row r = (c, kd, kh, kw) of the
 * group's kernel taps, column j = output position p0 + j) onto the input position that tap reads;
 * entries whose tap falls in the padding are dropped.
 *
 * <p>The work is cut by input plane (channel c, depth id) rather than by row: neighbouring output
 * positions read overlapping input positions, so rows of one channel collide, but a plane only receives
 * from the few kd taps that land on it. Calls on disjoint plane ranges therefore never write the same
 * element and can run in parallel. Works on dense F32 or F64 of the compute type.
 *
 * <p>For the geometries {@link Im2col#flat} accepts, a tap's columns over one output plane land on its
 * input plane shifted by a fixed offset, so they are added as one vector run. The entries of that run
 * that wrapped across a row edge (padding) are first set to -0.0 in col, which leaves whatever they are
 * added to unchanged, bit for bit: every input element receives exactly the sums, in exactly the tap
 * order, of the per-run path. Each (tap, output plane) stretch of col feeds a single input plane, so
 * the tasks of disjoint plane ranges never write the same entry of col either.
 */
final class Col2im {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private Col2im() {}

    /** Input planes of one group: cg channels of d planes each, the unit of parallel work. */
    static long planes(ConvGeometry g) {
        return (long) g.cg() * g.d();
    }

    /**
     * Adds col (all cg * kd * kh * kw rows, row stride {@code cols}, columns p0 .. p0 + cols - 1) into
     * input planes lo .. hi - 1 of the group whose first channel starts at element xOff of x.
     */
    static void add(ConvGeometry g, boolean f64, MemorySegment col, long p0, int cols, MemorySegment x, long xOff,
                    long lo, long hi) {
        int d = g.d(), kvol = g.kvol();
        long hw = (long) g.h() * g.w(), ohw = (long) g.oh() * g.ow(), pEnd = p0 + cols;
        boolean flat = Im2col.flat(g);
        for (long q = lo; q < hi; q++) {
            int c = (int) (q / d), id = (int) (q % d);
            long plane = xOff + c * g.dhw() + id * hw;
            for (int kd = 0; kd < g.kd(); kd++) {
                // the output plane whose kd tap lands on input plane id, if any
                int num = id + g.pd() - kd * g.dd();
                if (num < 0 || num % g.sd() != 0 || num / g.sd() >= g.od()) continue;
                long od = num / g.sd();
                long q0 = Math.max(p0, od * ohw), q1 = Math.min(pEnd, (od + 1) * ohw);
                if (q0 >= q1) continue;
                for (int kh = 0; kh < g.kh(); kh++) {
                    for (int kw = 0; kw < g.kw(); kw++) {
                        long row = (long) (c * kvol + (kd * g.kh() + kh) * g.kw() + kw) * cols - p0;
                        if (flat) {
                            addTapFlat(g, f64, col, row, od * ohw, q0, q1, kh, kw, x, plane);
                        } else {
                            addTap(g, f64, col, row, q0, q1, kh, kw, x, plane);
                        }
                    }
                }
            }
        }
    }

    /** {@link #addTap} for {@link Im2col#flat} geometries; the output plane starts at position planeStart. */
    private static void addTapFlat(ConvGeometry g, boolean f64, MemorySegment col, long row, long planeStart, long q0,
                                   long q1, int kh, int kw, MemorySegment x, long plane) {
        int w = g.w();
        int dy = kh * g.dh() - g.ph(), dx = kw * g.dw() - g.pw();
        long hw = (long) g.h() * w;
        // in-plane positions [a, b), and those [va, vb) whose input row lies inside the plane
        long a = q0 - planeStart, b = q1 - planeStart;
        long va = Math.clamp((long) -dy * w, a, b), vb = Math.clamp((g.h() - dy) * (long) w, va, b);
        long base = row + planeStart, shift = (long) dy * w + dx;
        if (dx != 0) {
            int edge = Math.min(Math.abs(dx), w);
            int c0 = dx < 0 ? 0 : w - edge;
            for (long r = va - va % w; r < vb; r += w) {
                long e0 = Math.max(va, r + c0), e1 = Math.min(vb, r + c0 + edge);
                for (long e = e0; e < e1; e++) {
                    if (f64) col.setAtIndex(JAVA_DOUBLE, base + e, -0.0);
                    else col.setAtIndex(JAVA_FLOAT, base + e, -0f);
                }
            }
        }
        long ca = Math.clamp(-shift, va, vb), cb = Math.clamp(hw - shift, ca, vb);
        if (cb > ca) addRun(f64, col, base + ca, x, plane + shift + ca, cb - ca);
    }

    /** One tap's entries for output positions q0 .. q1 - 1 (all in one output plane), into one input plane. */
    private static void addTap(ConvGeometry g, boolean f64, MemorySegment col, long row, long q0, long q1, int kh, int kw,
                               MemorySegment x, long plane) {
        int ow = g.ow(), sw = g.sw(), w = g.w();
        int oh = (int) ((q0 / ow) % g.oh()), owi = (int) (q0 % ow);
        for (long pos = q0; pos < q1; ) {
            int run = (int) Math.min(ow - owi, q1 - pos);
            int ih = oh * g.sh() - g.ph() + kh * g.dh();
            if (ih >= 0 && ih < g.h()) {
                int iw0 = owi * sw - g.pw() + kw * g.dw();
                // the positions of this run whose input w lies inside [0, w)
                int lo = iw0 >= 0 ? 0 : Math.min(run, Math.ceilDiv(-iw0, sw));
                int hi = iw0 >= w ? lo : Math.max(lo, Math.min(run, Math.ceilDiv(w - iw0, sw)));
                long src = row + pos + lo, dst = plane + (long) ih * w + iw0 + (long) lo * sw;
                if (hi > lo && sw == 1) {
                    addRun(f64, col, src, x, dst, hi - lo);
                } else if (hi > lo) {
                    addStrided(f64, col, src, x, dst, sw, hi - lo);
                }
            }
            pos += run;
            owi = 0;
            oh++;
        }
    }

    /** dst[d .. d + n) += src[s .. s + n), in elements of F64 or F32; the last partial vector under a mask. */
    static void addRun(boolean f64, MemorySegment src, long s, MemorySegment dst, long d, long n) {
        long i = 0;
        if (f64) {
            for (long up = n - n % DS.length(); i < up; i += DS.length()) {
                DoubleVector.fromMemorySegment(DS, dst, (d + i) * 8, NATIVE)
                        .add(DoubleVector.fromMemorySegment(DS, src, (s + i) * 8, NATIVE))
                        .intoMemorySegment(dst, (d + i) * 8, NATIVE);
            }
            if (i < n) {
                VectorMask<Double> m = DS.indexInRange(i, n);
                DoubleVector.fromMemorySegment(DS, dst, (d + i) * 8, NATIVE, m)
                        .add(DoubleVector.fromMemorySegment(DS, src, (s + i) * 8, NATIVE, m))
                        .intoMemorySegment(dst, (d + i) * 8, NATIVE, m);
            }
        } else {
            for (long up = n - n % FS.length(); i < up; i += FS.length()) {
                FloatVector.fromMemorySegment(FS, dst, (d + i) * 4, NATIVE)
                        .add(FloatVector.fromMemorySegment(FS, src, (s + i) * 4, NATIVE))
                        .intoMemorySegment(dst, (d + i) * 4, NATIVE);
            }
            if (i < n) {
                VectorMask<Float> m = FS.indexInRange(i, n);
                FloatVector.fromMemorySegment(FS, dst, (d + i) * 4, NATIVE, m)
                        .add(FloatVector.fromMemorySegment(FS, src, (s + i) * 4, NATIVE, m))
                        .intoMemorySegment(dst, (d + i) * 4, NATIVE, m);
            }
        }
    }

    private static void addStrided(boolean f64, MemorySegment src, long s, MemorySegment dst, long d, int stride, int n) {
        if (f64) {
            for (int i = 0; i < n; i++) {
                long at = d + (long) i * stride;
                dst.setAtIndex(JAVA_DOUBLE, at, dst.getAtIndex(JAVA_DOUBLE, at) + src.getAtIndex(JAVA_DOUBLE, s + i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                long at = d + (long) i * stride;
                dst.setAtIndex(JAVA_FLOAT, at, dst.getAtIndex(JAVA_FLOAT, at) + src.getAtIndex(JAVA_FLOAT, s + i));
            }
        }
    }
}
