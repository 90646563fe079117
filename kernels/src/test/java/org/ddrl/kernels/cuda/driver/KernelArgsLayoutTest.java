package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.KernelArgs;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The void** array cuLaunchKernel reads: one pointer per parameter, each to a cell holding the value in its C size. */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
class KernelArgsLayoutTest {
    @Test
    void pointerArrayPointsAtEachValue() {
        try (KernelArgs args = new KernelArgs()) {
            byte[] pair = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            args.ptr(0x7f00_1234_5600L).i32(-7).f32(2.5f).i64(1L << 40).f64(-0.125).bytes(pair, 4);
            assertEquals(6, args.count());
            long[] sizes = {8, 4, 4, 8, 8, 12};
            for (int i = 0; i < sizes.length; i++) assertEquals(sizes[i], args.size(i), "size of parameter " + i);

            MemorySegment array = args.pointerArray().reinterpret(6 * ValueLayout.ADDRESS.byteSize());
            MemorySegment[] cells = new MemorySegment[6];
            for (int i = 0; i < 6; i++) {
                cells[i] = array.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(sizes[i]);
                long align = i == 5 ? 4 : sizes[i];
                assertEquals(0, cells[i].address() % align, "parameter " + i + " is aligned to its C alignment");
            }
            assertEquals(0x7f00_1234_5600L, cells[0].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-7, cells[1].get(ValueLayout.JAVA_INT, 0));
            assertEquals(2.5f, cells[2].get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(1L << 40, cells[3].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-0.125, cells[4].get(ValueLayout.JAVA_DOUBLE, 0));
            for (int i = 0; i < pair.length; i++) assertEquals(pair[i], cells[5].get(ValueLayout.JAVA_BYTE, i));
            assertSame(args.pointerArray(), args.pointerArray(), "packed once");
        }
    }

    @Test
    void noParametersStillGiveAValidArray() {
        try (KernelArgs args = new KernelArgs()) {
            assertEquals(0, args.count());
            assertEquals(ValueLayout.ADDRESS.byteSize(), args.pointerArray().byteSize());
        }
    }

    @Test
    void parametersCannotBeAddedAfterPacking() {
        try (KernelArgs args = new KernelArgs()) {
            args.i32(1).pointerArray();
            assertThrows(IllegalStateException.class, () -> args.i32(2));
        }
    }
}
