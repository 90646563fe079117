package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Writes one element's raw bits over a run of elements: zero (and any value whose bytes are all alike)
 * through MemorySegment.fill, other values through broadcast vector stores. Moving raw bits keeps every
 * dtype exact, including NaN payloads and negative zero.
 */
final class Fill {
    private Fill() {}

    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> J = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> H = ShortVector.SPECIES_PREFERRED;

    /** Elements at, at + stride, ... (n of them, each es bytes) of d get the low es bytes of bits. */
    static void run(MemorySegment d, long at, long n, long stride, int es, long bits) {
        if (n <= 0) return;
        if (stride != 1 && n > 1) {
            strided(d, at, n, stride, es, bits);
            return;
        }
        if (sameBytes(bits, es)) {
            d.asSlice(at * es, n * es).fill((byte) bits);
            return;
        }
        switch (es) {
            case 8 -> {
                LongVector v = LongVector.broadcast(J, bits);
                long i = 0;
                for (long e = J.loopBound(n); i < e; i += J.length()) v.intoMemorySegment(d, (at + i) * 8, NO);
                if (i < n) v.intoMemorySegment(d, (at + i) * 8, NO, J.indexInRange(i, n));
            }
            case 4 -> {
                IntVector v = IntVector.broadcast(I, (int) bits);
                long i = 0;
                for (long e = I.loopBound(n); i < e; i += I.length()) v.intoMemorySegment(d, (at + i) * 4, NO);
                if (i < n) v.intoMemorySegment(d, (at + i) * 4, NO, I.indexInRange(i, n));
            }
            case 2 -> {
                ShortVector v = ShortVector.broadcast(H, (short) bits);
                long i = 0;
                for (long e = H.loopBound(n); i < e; i += H.length()) v.intoMemorySegment(d, (at + i) * 2, NO);
                if (i < n) {
                    VectorMask<Short> m = H.indexInRange(i, n);
                    v.intoMemorySegment(d, (at + i) * 2, NO, m);
                }
            }
            default -> throw new IllegalStateException("fill: no " + es + "-byte elements with unequal bytes");
        }
    }

    /** The raw bits of element i of s, for an es-byte dtype. */
    static long bits(MemorySegment s, long i, int es) {
        return switch (es) {
            case 8 -> s.getAtIndex(JAVA_LONG, i);
            case 4 -> s.getAtIndex(JAVA_INT, i);
            case 2 -> s.getAtIndex(JAVA_SHORT, i);
            default -> s.get(JAVA_BYTE, i);
        };
    }

    private static boolean sameBytes(long bits, int es) {
        long b = bits & 0xff;
        for (int k = 1; k < es; k++) if (((bits >>> (8 * k)) & 0xff) != b) return false;
        return true;
    }

    private static void strided(MemorySegment d, long at, long n, long stride, int es, long bits) {
        switch (es) {
            case 8 -> {
                for (long j = 0; j < n; j++) d.setAtIndex(JAVA_LONG, at + j * stride, bits);
            }
            case 4 -> {
                int v = (int) bits;
                for (long j = 0; j < n; j++) d.setAtIndex(JAVA_INT, at + j * stride, v);
            }
            case 2 -> {
                short v = (short) bits;
                for (long j = 0; j < n; j++) d.setAtIndex(JAVA_SHORT, at + j * stride, v);
            }
            default -> {
                byte v = (byte) bits;
                for (long j = 0; j < n; j++) d.set(JAVA_BYTE, at + j * stride, v);
            }
        }
    }
}
