package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * The fused output pass of the norms: {@code y = (x - mean) * scale * w + b + shift} over a run of
 * elements, where w and b (per element, may be null) and mean, scale, shift (per run) cover layer norm,
 * rms norm (mean 0) and group norm (per channel scale and shift). Offsets are in elements.
 */
final class NormAffine {
    private NormAffine() {}

    static void f32(MemorySegment x, long xo, MemorySegment y, long yo, int n, float mean, float scale, float shift,
            MemorySegment w, long wo, MemorySegment b, long bo) {
        var sp = ReduceF32.S;
        int l = ReduceF32.L;
        FloatVector mv = FloatVector.broadcast(sp, mean), sv = FloatVector.broadcast(sp, scale);
        FloatVector hv = FloatVector.broadcast(sp, shift);
        int i = 0;
        for (; i <= n - l; i += l) {
            FloatVector v = ReduceF32.load(x, xo + i).sub(mv).mul(sv);
            if (w != null) v = v.mul(ReduceF32.load(w, wo + i));
            if (b != null) v = v.add(ReduceF32.load(b, bo + i));
            v.add(hv).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        for (; i < n; i++) {
            float v = (x.getAtIndex(JAVA_FLOAT, xo + i) - mean) * scale;
            if (w != null) v *= w.getAtIndex(JAVA_FLOAT, wo + i);
            if (b != null) v += b.getAtIndex(JAVA_FLOAT, bo + i);
            y.setAtIndex(JAVA_FLOAT, yo + i, v + shift);
        }
    }

    static void f64(MemorySegment x, long xo, MemorySegment y, long yo, int n, double mean, double scale, double shift,
            MemorySegment w, long wo, MemorySegment b, long bo) {
        var sp = ReduceF64.S;
        int l = ReduceF64.L;
        DoubleVector mv = DoubleVector.broadcast(sp, mean), sv = DoubleVector.broadcast(sp, scale);
        DoubleVector hv = DoubleVector.broadcast(sp, shift);
        int i = 0;
        for (; i <= n - l; i += l) {
            DoubleVector v = ReduceF64.load(x, xo + i).sub(mv).mul(sv);
            if (w != null) v = v.mul(ReduceF64.load(w, wo + i));
            if (b != null) v = v.add(ReduceF64.load(b, bo + i));
            v.add(hv).intoMemorySegment(y, (yo + i) * 8, ReduceF64.NATIVE);
        }
        for (; i < n; i++) {
            double v = (x.getAtIndex(JAVA_DOUBLE, xo + i) - mean) * scale;
            if (w != null) v *= w.getAtIndex(JAVA_DOUBLE, wo + i);
            if (b != null) v += b.getAtIndex(JAVA_DOUBLE, bo + i);
            y.setAtIndex(JAVA_DOUBLE, yo + i, v + shift);
        }
    }
}
