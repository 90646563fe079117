package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * The fused output passes of the norms over a run of n elements: {@code y = (x - mean) * scale * w + b}
 * with per-element weight and bias (layer norm, rms norm with mean 0), and {@code y = (x - mean) * scale
 * + shift} with per-run constants (no weight and bias, or group norm's per-channel scale and shift).
 * Each loop is straight-line so that its vectors stay in registers. Offsets are in elements.
 */
final class NormAffine {
    private NormAffine() {}

    static void affineF32(MemorySegment x, long xo, MemorySegment y, long yo, int n, float mean, float scale,
            MemorySegment w, long wo, MemorySegment b, long bo) {
        int l = ReduceF32.L;
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), sv = FloatVector.broadcast(ReduceF32.S, scale);
        int i = 0;
        for (; i <= n - l; i += l) {
            ReduceF32.load(x, xo + i).sub(mv).mul(sv).fma(ReduceF32.load(w, wo + i), ReduceF32.load(b, bo + i))
                    .intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        for (; i < n; i++) {
            float v = (x.getAtIndex(JAVA_FLOAT, xo + i) - mean) * scale;
            y.setAtIndex(JAVA_FLOAT, yo + i, v * w.getAtIndex(JAVA_FLOAT, wo + i) + b.getAtIndex(JAVA_FLOAT, bo + i));
        }
    }

    static void scaleShiftF32(MemorySegment x, long xo, MemorySegment y, long yo, int n, float mean, float scale, float shift) {
        int l = ReduceF32.L;
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), sv = FloatVector.broadcast(ReduceF32.S, scale);
        FloatVector hv = FloatVector.broadcast(ReduceF32.S, shift);
        int i = 0;
        for (; i <= n - l; i += l) {
            ReduceF32.load(x, xo + i).sub(mv).fma(sv, hv).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        for (; i < n; i++) y.setAtIndex(JAVA_FLOAT, yo + i, (x.getAtIndex(JAVA_FLOAT, xo + i) - mean) * scale + shift);
    }

    static void affineF64(MemorySegment x, long xo, MemorySegment y, long yo, int n, double mean, double scale,
            MemorySegment w, long wo, MemorySegment b, long bo) {
        int l = ReduceF64.L;
        DoubleVector mv = DoubleVector.broadcast(ReduceF64.S, mean), sv = DoubleVector.broadcast(ReduceF64.S, scale);
        int i = 0;
        for (; i <= n - l; i += l) {
            ReduceF64.load(x, xo + i).sub(mv).mul(sv).fma(ReduceF64.load(w, wo + i), ReduceF64.load(b, bo + i))
                    .intoMemorySegment(y, (yo + i) * 8, ReduceF64.NATIVE);
        }
        for (; i < n; i++) {
            double v = (x.getAtIndex(JAVA_DOUBLE, xo + i) - mean) * scale;
            y.setAtIndex(JAVA_DOUBLE, yo + i, v * w.getAtIndex(JAVA_DOUBLE, wo + i) + b.getAtIndex(JAVA_DOUBLE, bo + i));
        }
    }

    static void scaleShiftF64(MemorySegment x, long xo, MemorySegment y, long yo, int n, double mean, double scale, double shift) {
        int l = ReduceF64.L;
        DoubleVector mv = DoubleVector.broadcast(ReduceF64.S, mean), sv = DoubleVector.broadcast(ReduceF64.S, scale);
        DoubleVector hv = DoubleVector.broadcast(ReduceF64.S, shift);
        int i = 0;
        for (; i <= n - l; i += l) {
            ReduceF64.load(x, xo + i).sub(mv).fma(sv, hv).intoMemorySegment(y, (yo + i) * 8, ReduceF64.NATIVE);
        }
        for (; i < n; i++) y.setAtIndex(JAVA_DOUBLE, yo + i, (x.getAtIndex(JAVA_DOUBLE, xo + i) - mean) * scale + shift);
    }
}
