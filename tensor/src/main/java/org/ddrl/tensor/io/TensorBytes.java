package org.ddrl.tensor.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/** Moves tensor elements between host tensors and file bytes of a given byte order. */
final class TensorBytes {
    /** Bytes staged per channel write: large enough for full-speed IO, small next to any tensor worth saving. */
    private static final int CHUNK = 1 << 20;

    private TensorBytes() {}

    /**
     * The layout that moves one element of {@code size} bytes as a whole, so that copies between two orders swap
     * its bytes. Unaligned, because file offsets need not be multiples of the element size.
     */
    static ValueLayout layout(int size, ByteOrder order) {
        return switch (size) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
            case 8 -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
            default -> throw new IllegalArgumentException("no element layout of " + size + " bytes");
        };
    }

    /**
     * A new dense CPU tensor holding the {@code numel(shape)} elements stored at {@code byteOffset} of {@code src}
     * in the given byte order. BOOL bytes other than 0 are stored as 1, the only true value tensors hold.
     */
    static Tensor read(MemorySegment src, long byteOffset, ByteOrder order, DType dtype, int[] shape) {
        Tensor t = Tensor.empty(dtype, Device.CPU, shape);
        long n = t.numel();
        if (n == 0) return t;
        MemorySegment dst = CpuTensors.seg(t);
        int size = dtype.byteSize();
        MemorySegment.copy(src, layout(size, order), byteOffset, dst, layout(size, ByteOrder.nativeOrder()), 0, n);
        if (dtype == DType.BOOL) normalizeBool(dst, n);
        return t;
    }

    private static void normalizeBool(MemorySegment s, long n) {
        for (long i = 0; i < n; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != 0) s.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        }
    }

    /** The tensor as a dense host tensor: itself when it already is one, else a copy. */
    static Tensor hostDense(Tensor t, String op) {
        t.storage().checkLive(op);
        return t.device().kind() == Device.Kind.CPU ? t.contiguous() : t.to(Device.CPU);
    }

    /** Writes the elements of a dense host tensor in row-major order and little-endian byte order. */
    static void writeLittleEndian(WritableByteChannel ch, Tensor dense, ByteBuffer staging) throws IOException {
        long n = dense.numel();
        if (n == 0) return;
        int size = dense.dtype().byteSize();
        MemorySegment src = CpuTensors.seg(dense);
        MemorySegment stage = MemorySegment.ofBuffer(staging.clear());
        ValueLayout from = layout(size, ByteOrder.nativeOrder()), to = layout(size, ByteOrder.LITTLE_ENDIAN);
        long perChunk = staging.capacity() / size;
        for (long i = 0; i < n; i += perChunk) {
            long m = Math.min(perChunk, n - i);
            MemorySegment.copy(src, from, (dense.offset() + i) * size, stage, to, 0, m);
            writeFully(ch, staging.clear().limit((int) (m * size)));
        }
    }

    /**
     * A staging buffer for {@link #writeLittleEndian} of tensors up to {@code largest} bytes. Direct, so channel
     * writes need no further copy.
     */
    static ByteBuffer stagingBuffer(long largest) {
        return ByteBuffer.allocateDirect(Math.clamp(largest, 8, CHUNK));
    }

    /** Writes all of {@code bytes}. */
    static void writeFully(WritableByteChannel ch, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) ch.write(bytes);
    }
}
