package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** Exact reductions over dense I64 memory (integer and BOOL inputs are widened to I64 first). Offsets are in elements. */
final class ReduceLong {
    private ReduceLong() {}

    /** Wraps on overflow, as PyTorch's int64 sum does. */
    static long sum(MemorySegment s, long off, int n) {
        long a0 = 0, a1 = 0;
        int i = 0;
        for (; i <= n - 2; i += 2) {
            a0 += s.getAtIndex(JAVA_LONG, off + i);
            a1 += s.getAtIndex(JAVA_LONG, off + i + 1);
        }
        if (i < n) a0 += s.getAtIndex(JAVA_LONG, off + i);
        return a0 + a1;
    }

    static long max(MemorySegment s, long off, int n) {
        long t = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) t = Math.max(t, s.getAtIndex(JAVA_LONG, off + i));
        return t;
    }

    static long min(MemorySegment s, long off, int n) {
        long t = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) t = Math.min(t, s.getAtIndex(JAVA_LONG, off + i));
        return t;
    }
}
