package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.ModuleSource;

/** An emulated device with the self-test module loaded, and copies between Java arrays and device memory. */
final class EmuTesting implements AutoCloseable {
    final EmulatedCudaDevice device;
    final CudaModule module;

    private EmuTesting(EmulatedCudaDevice device) {
        this.device = device;
        this.module = device.loadModule(new ModuleSource("selftest"));
    }

    /**
     * Skips the calling test, with the reason, when the emulator was not built or does not load. Called per
     * test (not in @BeforeAll, where the build report would count no tests and drop the reason).
     */
    static void assumeAvailable() {
        assumeTrue(EmulatorAvailability.isAvailable(),
                () -> "emulated CUDA device unavailable: " + EmulatorAvailability.unavailableReason());
    }

    /** An emulated device with the self-test module, or null when the emulator is unavailable. */
    static EmuTesting openIfAvailable(boolean strict) {
        if (!EmulatorAvailability.isAvailable()) return null;
        return new EmuTesting(EmulatedCudaDevice.open(new EmulatedCudaDevice.Options(strict, true)));
    }

    CudaFunction kernel(String name) {
        return device.function(module, name);
    }

    long upload(float[] a) {
        long p = device.malloc(4L * a.length);
        device.copyHtoD(p, MemorySegment.ofArray(a), 4L * a.length, device.defaultStream());
        return p;
    }

    long upload(int[] a) {
        long p = device.malloc(4L * a.length);
        device.copyHtoD(p, MemorySegment.ofArray(a), 4L * a.length, device.defaultStream());
        return p;
    }

    long upload(double[] a) {
        long p = device.malloc(8L * a.length);
        device.copyHtoD(p, MemorySegment.ofArray(a), 8L * a.length, device.defaultStream());
        return p;
    }

    long upload(long[] a) {
        long p = device.malloc(8L * a.length);
        device.copyHtoD(p, MemorySegment.ofArray(a), 8L * a.length, device.defaultStream());
        return p;
    }

    float[] floats(long p, int n) {
        float[] a = new float[n];
        device.copyDtoH(MemorySegment.ofArray(a), p, 4L * n, device.defaultStream());
        return a;
    }

    int[] ints(long p, int n) {
        int[] a = new int[n];
        device.copyDtoH(MemorySegment.ofArray(a), p, 4L * n, device.defaultStream());
        return a;
    }

    double[] doubles(long p, int n) {
        double[] a = new double[n];
        device.copyDtoH(MemorySegment.ofArray(a), p, 8L * n, device.defaultStream());
        return a;
    }

    short[] shorts(long p, int n) {
        short[] a = new short[n];
        device.copyDtoH(MemorySegment.ofArray(a), p, 2L * n, device.defaultStream());
        return a;
    }

    long[] longs(long p, int n) {
        long[] a = new long[n];
        device.copyDtoH(MemorySegment.ofArray(a), p, 8L * n, device.defaultStream());
        return a;
    }

    static MemorySegment pinnedCopy(EmulatedCudaDevice d, float[] a) {
        MemorySegment s = d.allocPinned(4L * a.length);
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_FLOAT, 0, a.length);
        return s;
    }

    static float[] toArray(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** "selftest.cu:N" for the first line of the kernel source after {@code after} that contains {@code text}. */
    static String site(String after, String text) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("src/main/cuda/selftest.cu"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int i = 0;
        while (!lines.get(i).contains(after)) i++;
        while (!lines.get(i).contains(text)) i++;
        return "selftest.cu:" + (i + 1);
    }


    @Override
    public void close() {
        device.close();
    }
}
