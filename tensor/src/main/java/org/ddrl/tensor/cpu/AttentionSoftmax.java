package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.LaneSums;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused pass over one row of attention scores, in place: apply the mask, subtract the row max,
 * exponentiate, normalize. Afterwards the row holds the attention weights of one query.
 *
 * <p>Keys at or past {@code valid} (those the causal rule hides) get weight 0 without being read. A row
 * whose keys are all masked has max -inf, so every weight comes out NaN (-inf - -inf), as torch.softmax
 * of an all -inf row does.
 */
final class AttentionSoftmax {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** How the mask operand is read: not at all, as BOOL bytes (0 = masked), or as values added to the scores. */
    enum Mask { NONE, BOOL, ADDITIVE }

    private AttentionSoftmax() {}

    /**
     * Row s[off, off + n) (F32 elements); the mask row starts at element mOff of m with stride mStride and is
     * F32 when additive.
     */
    static void rowF32(MemorySegment s, long off, int n, int valid, Mask kind, MemorySegment m, long mOff, long mStride) {
        switch (kind) {
            case BOOL -> {
                for (int j = 0; j < valid; j++) {
                    if (m.get(JAVA_BYTE, mOff + j * mStride) == 0) s.setAtIndex(JAVA_FLOAT, off + j, Float.NEGATIVE_INFINITY);
                }
            }
            case ADDITIVE -> {
                int j = 0;
                if (mStride == 1) {
                    for (int up = FS.loopBound(valid); j < up; j += FS.length()) {
                        long at = (off + j) * 4;
                        FloatVector.fromMemorySegment(FS, s, at, NATIVE)
                                .add(FloatVector.fromMemorySegment(FS, m, (mOff + j) * 4, NATIVE))
                                .intoMemorySegment(s, at, NATIVE);
                    }
                }
                for (; j < valid; j++) {
                    s.setAtIndex(JAVA_FLOAT, off + j, s.getAtIndex(JAVA_FLOAT, off + j) + m.getAtIndex(JAVA_FLOAT, mOff + j * mStride));
                }
            }
            case NONE -> { }
        }
        int up = FS.loopBound(valid);
        FloatVector vmax = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < up; j += FS.length()) vmax = vmax.max(FloatVector.fromMemorySegment(FS, s, (off + j) * 4, NATIVE));
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < valid; j++) max = Math.max(max, s.getAtIndex(JAVA_FLOAT, off + j));

        FloatVector vm = FloatVector.broadcast(FS, max);
        FloatVector vsum = FloatVector.zero(FS);
        for (j = 0; j < up; j += FS.length()) {
            long at = (off + j) * 4;
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(FS, s, at, NATIVE).sub(vm));
            e.intoMemorySegment(s, at, NATIVE);
            vsum = vsum.add(e);
        }
        float sum = LaneSums.sum(vsum);
        for (; j < valid; j++) {
            float e = VectorMath.exp(s.getAtIndex(JAVA_FLOAT, off + j) - max);
            s.setAtIndex(JAVA_FLOAT, off + j, e);
            sum += e;
        }

        float inv = 1f / sum;
        for (j = 0; j < up; j += FS.length()) {
            long at = (off + j) * 4;
            FloatVector.fromMemorySegment(FS, s, at, NATIVE).mul(inv).intoMemorySegment(s, at, NATIVE);
        }
        for (; j < valid; j++) s.setAtIndex(JAVA_FLOAT, off + j, s.getAtIndex(JAVA_FLOAT, off + j) * inv);
        for (j = valid; j < n; j++) s.setAtIndex(JAVA_FLOAT, off + j, 0f);
    }

    /** As {@link #rowF32} for F64 scores (and an F64 additive mask). */
    static void rowF64(MemorySegment s, long off, int n, int valid, Mask kind, MemorySegment m, long mOff, long mStride) {
        switch (kind) {
            case BOOL -> {
                for (int j = 0; j < valid; j++) {
                    if (m.get(JAVA_BYTE, mOff + j * mStride) == 0) s.setAtIndex(JAVA_DOUBLE, off + j, Double.NEGATIVE_INFINITY);
                }
            }
            case ADDITIVE -> {
                int j = 0;
                if (mStride == 1) {
                    for (int up = DS.loopBound(valid); j < up; j += DS.length()) {
                        long at = (off + j) * 8;
                        DoubleVector.fromMemorySegment(DS, s, at, NATIVE)
                                .add(DoubleVector.fromMemorySegment(DS, m, (mOff + j) * 8, NATIVE))
                                .intoMemorySegment(s, at, NATIVE);
                    }
                }
                for (; j < valid; j++) {
                    s.setAtIndex(JAVA_DOUBLE, off + j, s.getAtIndex(JAVA_DOUBLE, off + j) + m.getAtIndex(JAVA_DOUBLE, mOff + j * mStride));
                }
            }
            case NONE -> { }
        }
        int up = DS.loopBound(valid);
        DoubleVector vmax = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < up; j += DS.length()) vmax = vmax.max(DoubleVector.fromMemorySegment(DS, s, (off + j) * 8, NATIVE));
        double max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < valid; j++) max = Math.max(max, s.getAtIndex(JAVA_DOUBLE, off + j));

        DoubleVector vm = DoubleVector.broadcast(DS, max);
        DoubleVector vsum = DoubleVector.zero(DS);
        for (j = 0; j < up; j += DS.length()) {
            long at = (off + j) * 8;
            DoubleVector e = VectorMath.exp(DoubleVector.fromMemorySegment(DS, s, at, NATIVE).sub(vm));
            e.intoMemorySegment(s, at, NATIVE);
            vsum = vsum.add(e);
        }
        double sum = LaneSums.sum(vsum);
        for (; j < valid; j++) {
            double e = VectorMath.exp(s.getAtIndex(JAVA_DOUBLE, off + j) - max);
            s.setAtIndex(JAVA_DOUBLE, off + j, e);
            sum += e;
        }

        double inv = 1 / sum;
        for (j = 0; j < up; j += DS.length()) {
            long at = (off + j) * 8;
            DoubleVector.fromMemorySegment(DS, s, at, NATIVE).mul(inv).intoMemorySegment(s, at, NATIVE);
        }
        for (; j < valid; j++) s.setAtIndex(JAVA_DOUBLE, off + j, s.getAtIndex(JAVA_DOUBLE, off + j) * inv);
        for (j = valid; j < n; j++) s.setAtIndex(JAVA_DOUBLE, off + j, 0d);
    }
}
