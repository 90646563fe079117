package org.ddrl.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with NumPy itself: files written by numpy.save are read, and files written here are loaded by
 * numpy.load and are byte for byte what numpy.save writes. Skipped when python3 with numpy is not installed.
 */
class NpyNumpyTest {
    /**
     * Every case is {@code f(np.arange(n)).reshape(shape)} for a formula f; the Java side computes the same values.
     * Arguments: argv[1] is the mode ("make" or "check"), argv[2] the folder.
     */
    private static final String SCRIPT = """
            import sys, numpy as np
            mode, d = sys.argv[1], sys.argv[2]
            def a(n, shape): return np.arange(n).reshape(shape)
            cases = {
                'f4': (a(12, (3, 4)) * 0.5 - 3).astype('<f4'),
                'f8': (a(7, (7,)) / 3.0).astype('<f8'),
                'f2': (a(6, (2, 3)) * 0.25 - 1).astype('<f2'),
                'i4': (a(6, (3, 2)) - 5).astype('<i4'),
                'i8': (a(5, (5,)) * 1000000000000 - 2).astype('<i8'),
                'b1': (a(7, (7,)) % 3 == 0),
                'scalar': np.array(2.5, dtype='<f8'),
                'empty': np.zeros((0, 3), dtype='<i8'),
            }
            read_only = {
                'u1': ((a(10, (2, 5)) * 37) % 256).astype('|u1'),
                'i1': (a(10, (10,)) * 29 - 128).astype('|i1'),
                'u2': (a(4, (4,)) * 20000).astype('<u2'),
                'be_f4': (a(6, (2, 3)) * 0.5 - 3).astype('>f4'),
                'be_i8': (a(5, (5,)) * 1000000000000 - 2).astype('>i8'),
                'fortran': np.asfortranarray((a(24, (2, 3, 4)) * 0.5 - 3).astype('<f8')),
            }
            if mode == 'make':
                for name, arr in list(cases.items()) + list(read_only.items()):
                    np.save(f'{d}/np_{name}.npy', arr)
            else:
                for name, arr in cases.items():
                    got = np.load(f'{d}/java_{name}.npy')
                    assert got.dtype == arr.dtype and got.shape == arr.shape, (name, got.dtype, got.shape)
                    assert np.array_equal(got, arr), (name, got, arr)
                print('checked', len(cases))
            """;

    @TempDir
    Path dir;

    /** The same values as the script's cases, as tensors; the keys name the files. */
    private static Map<String, Tensor> cases() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f4", Tensor.of(halvesFromMinus3(12)).to(DType.F32).view(3, 4));
        double[] thirds = new double[7];
        for (int i = 0; i < 7; i++) thirds[i] = i / 3.0;
        m.put("f8", Tensor.of(thirds));
        float[] quarters = new float[6];
        for (int i = 0; i < 6; i++) quarters[i] = i * 0.25f - 1;
        m.put("f2", Tensor.of(quarters, 2, 3).to(DType.F16));
        m.put("i4", Tensor.of(new int[] {-5, -4, -3, -2, -1, 0}, 3, 2));
        m.put("i8", Tensor.of(trillions()));
        m.put("b1", Tensor.of(new boolean[] {true, false, false, true, false, false, true}));
        m.put("scalar", Tensor.scalar(2.5, DType.F64, Device.CPU));
        m.put("empty", Tensor.zeros(DType.I64, 0, 3));
        return m;
    }

    /** i * 0.5 - 3 for i below n. */
    private static double[] halvesFromMinus3(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5 - 3;
        return v;
    }

    /** i * 10^12 - 2 for i below 5: values beyond 32 bits. */
    private static long[] trillions() {
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) v[i] = i * 1_000_000_000_000L - 2;
        return v;
    }

    @Test
    void readsAndWritesWhatNumpyDoes() throws Exception {
        assumeTrue(python("import numpy").exit == 0, "python3 with numpy is not available: skipping the NumPy interop test");
        Path script = Files.writeString(dir.resolve("cases.py"), SCRIPT);
        Result made = python(null, script.toString(), "make", dir.toString());
        assertEquals(0, made.exit, made.output);

        for (Map.Entry<String, Tensor> c : cases().entrySet()) {
            Path theirs = dir.resolve("np_" + c.getKey() + ".npy");
            IoAssertions.assertSameTensor(c.getValue(), Npy.read(theirs));
            Path ours = dir.resolve("java_" + c.getKey() + ".npy");
            Npy.write(ours, c.getValue());
            assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), c.getKey() + ": bytes differ from numpy.save");
        }
        Result checked = python(null, script.toString(), "check", dir.toString());
        assertEquals(0, checked.exit, checked.output);

        Tensor u1 = Npy.read(dir.resolve("np_u1.npy"));
        assertEquals(DType.I32, u1.dtype());
        assertArrayEquals(new long[] {0, 37, 74, 111, 148, 185, 222, 3, 40, 77}, u1.toLongArray());
        assertArrayEquals(new long[] {-128, -99, -70, -41, -12, 17, 46, 75, 104, 133 - 256}, Npy.read(dir.resolve("np_i1.npy")).toLongArray());
        assertArrayEquals(new long[] {0, 20000, 40000, 60000}, Npy.read(dir.resolve("np_u2.npy")).toLongArray());
        assertArrayEquals(halvesFromMinus3(6), Npy.read(dir.resolve("np_be_f4.npy")).toDoubleArray(), 0);
        assertArrayEquals(trillions(), Npy.read(dir.resolve("np_be_i8.npy")).toLongArray());
        Tensor fortran = Npy.read(dir.resolve("np_fortran.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, fortran.shape());
        assertArrayEquals(halvesFromMinus3(24), fortran.toDoubleArray(), 0);
    }

    private record Result(int exit, String output) {}

    /** Runs python3 with {@code -c code}, or with the given arguments when code is null. */
    private static Result python(String code, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        if (code != null) cmd.addAll(List.of("-c", code));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, "cannot start python3: " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "python3 timed out: " + out);
        }
        return new Result(p.exitValue(), out);
    }
}
