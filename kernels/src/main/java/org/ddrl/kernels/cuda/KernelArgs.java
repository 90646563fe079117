package org.ddrl.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel parameters packed as cuLaunchKernel wants them: each value in its own native cell, and an array
 * of pointers to the cells. The emulator takes the same array. Values keep their C sizes: int and float
 * are 4 bytes, long, double and device pointers 8.
 */
public final class KernelArgs implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> cells = new ArrayList<>();
    private MemorySegment packed;

    public KernelArgs ptr(long devicePtr) {
        return add(ValueLayout.JAVA_LONG, devicePtr);
    }

    public KernelArgs i32(int v) {
        MemorySegment c = arena.allocate(ValueLayout.JAVA_INT);
        c.set(ValueLayout.JAVA_INT, 0, v);
        return cell(c);
    }

    public KernelArgs i64(long v) {
        return add(ValueLayout.JAVA_LONG, v);
    }

    public KernelArgs f32(float v) {
        MemorySegment c = arena.allocate(ValueLayout.JAVA_FLOAT);
        c.set(ValueLayout.JAVA_FLOAT, 0, v);
        return cell(c);
    }

    public KernelArgs f64(double v) {
        MemorySegment c = arena.allocate(ValueLayout.JAVA_DOUBLE);
        c.set(ValueLayout.JAVA_DOUBLE, 0, v);
        return cell(c);
    }

    /** A by-value struct parameter given as raw bytes (its C layout is the caller's responsibility). */
    public KernelArgs bytes(byte[] value, long alignment) {
        MemorySegment c = arena.allocate(value.length, alignment);
        MemorySegment.copy(value, 0, c, ValueLayout.JAVA_BYTE, 0, value.length);
        return cell(c);
    }

    private KernelArgs add(ValueLayout.OfLong layout, long v) {
        MemorySegment c = arena.allocate(layout);
        c.set(layout, 0, v);
        return cell(c);
    }

    private KernelArgs cell(MemorySegment c) {
        if (packed != null) throw new IllegalStateException("KernelArgs: cannot add parameters after packing");
        cells.add(c);
        return this;
    }

    public int count() {
        return cells.size();
    }

    /** The byte size of parameter {@code index}, for checking a launch against the kernel's declared parameters. */
    public long size(int index) {
        return cells.get(index).byteSize();
    }

    /** The void** array: valid until close. */
    public MemorySegment pointerArray() {
        if (packed == null) {
            packed = arena.allocate(ValueLayout.ADDRESS, Math.max(1, cells.size()));
            for (int i = 0; i < cells.size(); i++) packed.setAtIndex(ValueLayout.ADDRESS, i, cells.get(i));
        }
        return packed;
    }

    @Override
    public void close() {
        arena.close();
    }
}
