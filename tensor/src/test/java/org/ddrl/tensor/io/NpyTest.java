package org.ddrl.tensor.io;

import static org.ddrl.tensor.io.IoAssertions.assertFails;
import static org.ddrl.tensor.io.IoAssertions.assertSameTensor;
import static org.ddrl.tensor.io.IoAssertions.listing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing and reading .npy files, against hand-built files of every supported kind. */
class NpyTest {
    private static final int[][] SHAPES = {{}, {0}, {1}, {3}, {17, 3}, {2, 0, 5}, {3, 1, 33}, {2, 3, 4, 5}};

    @TempDir
    Path dir;
    private final Random rnd = new Random(5);

    /** A .npy file of the given version whose header is {@code dict} padded to {@code align} bytes. */
    static byte[] npy(int major, String dict, int align, byte[] data) {
        byte[] text = dict.getBytes(StandardCharsets.UTF_8);
        int prefix = major == 1 ? 10 : 12;
        int pad = (align - (prefix + text.length + 1) % align) % align;
        int hlen = text.length + pad + 1;
        ByteBuffer b = ByteBuffer.allocate(prefix + hlen + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) hlen);
        else b.putInt(hlen);
        b.put(text).put(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII)).put((byte) '\n').put(data);
        return b.array();
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer be(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.BIG_ENDIAN);
    }

    private Tensor read(byte[] file) throws IOException {
        return Npy.read(IoAssertions.write(dir.resolve("in.npy"), file));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = "BF16", mode = EnumSource.Mode.EXCLUDE)
    void roundTripsEveryShape(DType dt) throws IOException {
        for (int[] shape : SHAPES) {
            Tensor x = OpCheck.random(rnd, dt, shape);
            Path f = dir.resolve("x.npy");
            Npy.write(f, x);
            assertSameTensor(x, Npy.read(f));
            byte[] bytes = Files.readAllBytes(f);
            int dataStart = 10 + (ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff);
            assertEquals(0, dataStart % 64, "data must start at a multiple of 64 for " + Arrays.toString(shape));
            assertEquals('\n', bytes[dataStart - 1]);
            assertEquals(dataStart + x.numel() * dt.byteSize(), bytes.length);
        }
        assertEquals(List.of("x.npy"), listing(dir), "no temporary file may remain");
    }

    @Test
    void writesTheBytesNumpyWrites() throws IOException {
        Path f = dir.resolve("exact.npy");
        Npy.write(f, Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3));
        byte[] bytes = Files.readAllBytes(f);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // numpy leaves room for the first dim to grow to 21 digits, then pads to 64 bytes with a final newline.
        String header = dict + " ".repeat(20) + " ".repeat(128 - 10 - dict.length() - 20 - 1) + "\n";
        ByteBuffer data = le(24);
        for (int i = 0; i < 6; i++) data.putFloat(i);
        assertArrayEquals(npy(1, header.substring(0, header.length() - 1), 1, data.array()), bytes);
        assertEquals(128 + 24, bytes.length);
    }

    @Test
    void bf16IsRefusedWithAHint() {
        Tensor x = Tensor.of(new float[] {1, 2}).to(DType.BF16);
        assertFails(IllegalArgumentException.class, () -> Npy.write(dir.resolve("b.npy"), x), "b.npy", "BF16", "to(DType.F32)");
        assertTrue(Files.notExists(dir.resolve("b.npy")));
    }

    @Test
    void nonContiguousSources() throws IOException {
        Tensor x = OpCheck.random(rnd, DType.F64, 3, 4, 5);
        Tensor[] views = {OpCheck.relayout(x, "transposed"), OpCheck.relayout(x, "strided"), OpCheck.relayout(x, "offset"),
            x.permute(1, 2, 0), x.slice(1, 0, 4, 3), x.select(2, 4), OpCheck.random(rnd, DType.I32, 1, 4).expand(3, 4)};
        for (Tensor v : views) {
            Path f = dir.resolve("v.npy");
            Npy.write(f, v);
            assertSameTensor(v.contiguous(), Npy.read(f));
        }
    }

    @Test
    void readsFortranOrder() throws IOException {
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        ByteBuffer d = le(24);
        for (int v : new int[] {0, 3, 1, 4, 2, 5}) d.putInt(v);
        Tensor t = read(npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", 64, d.array()));
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, t.toLongArray());

        // A 2x3x4 array whose element [i][j][k] is 100i + 10j + k, in column-major order (i fastest).
        ByteBuffer d3 = le(24 * 8);
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) for (int i = 0; i < 2; i++) d3.putDouble(100 * i + 10 * j + k);
        Tensor t3 = read(npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", 64, d3.array()));
        double[] want = new double[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) want[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
        assertArrayEquals(want, t3.toDoubleArray(), 0);
        assertTrue(t3.isContiguous());

        // With all dims but one of size 1 both orders store the same sequence.
        ByteBuffer d5 = le(20);
        for (int v = 1; v <= 5; v++) d5.putInt(v);
        for (String shape : new String[] {"(1, 5)", "(5, 1)", "(1, 5, 1)"}) {
            Tensor t5 = read(npy(1, "{'descr': '<i4', 'fortran_order': True, 'shape': " + shape + ", }", 64, d5.array()));
            assertArrayEquals(new long[] {1, 2, 3, 4, 5}, t5.toLongArray(), shape);
        }
    }

    @Test
    void readsBigEndian() throws IOException {
        ByteBuffer d = be(16).putDouble(1.25).putDouble(-3e300);
        assertArrayEquals(new double[] {1.25, -3e300}, read(npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", 64, d.array()))
                .toDoubleArray(), 0);
        ByteBuffer f = be(8).putFloat(0.1f).putFloat(Float.MIN_VALUE);
        assertArrayEquals(new float[] {0.1f, Float.MIN_VALUE}, read(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 64,
                f.array())).toFloatArray(), 0);
        ByteBuffer h = be(4).putShort(Float.floatToFloat16(-1.5f)).putShort(Float.floatToFloat16(65504f));
        Tensor half = read(npy(1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2,), }", 64, h.array()));
        assertEquals(DType.F16, half.dtype());
        assertArrayEquals(new float[] {-1.5f, 65504f}, half.toFloatArray(), 0);
        ByteBuffer l = be(16).putLong(Long.MIN_VALUE).putLong(0x0102030405060708L);
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0x0102030405060708L},
                read(npy(1, "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", 64, l.array())).toLongArray());
        ByteBuffer s = be(8).putShort((short) -2).putShort((short) 300).putShort((short) 0xffff).putShort((short) 1);
        Tensor fortranBigEndian = read(npy(1, "{'descr': '>u2', 'fortran_order': True, 'shape': (2, 2), }", 64, s.array()));
        assertArrayEquals(new long[] {65534, 65535, 300, 1}, fortranBigEndian.toLongArray());
    }

    @Test
    void smallIntegersWidenExactly() throws IOException {
        byte[] bytes = {0, (byte) 200, (byte) 255, (byte) 0x80};
        Tensor u1 = read(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", 64, bytes));
        assertEquals(DType.I32, u1.dtype());
        assertArrayEquals(new long[] {0, 200, 255, 128}, u1.toLongArray());
        assertArrayEquals(new long[] {0, -56, -1, -128},
                read(npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", 64, bytes)).toLongArray());
        assertArrayEquals(new long[] {-32768, 32767},
                read(npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", 64, le(4).putShort((short) -32768)
                        .putShort((short) 32767).array())).toLongArray());
        Tensor u4 = read(npy(1, "{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", 64, le(8).putInt(-1).putInt(7).array()));
        assertEquals(DType.I64, u4.dtype());
        assertArrayEquals(new long[] {4294967295L, 7}, u4.toLongArray());
    }

    @Test
    void boolBytesAreNormalized() throws IOException {
        Tensor b = read(npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", 64, new byte[] {0, 1, 7}));
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new byte[] {0, 1, 1}, CpuTensors.seg(b).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void zeroDimAndEmptyArrays() throws IOException {
        Tensor s = read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 64, le(8).putDouble(2.5).array()));
        assertEquals(0, s.dim());
        assertEquals(2.5, s.item());
        Tensor e = read(npy(1, "{'descr': '<i8', 'fortran_order': True, 'shape': (0, 3), }", 64, new byte[0]));
        assertArrayEquals(new int[] {0, 3}, e.shape());
        assertEquals(DType.I64, e.dtype());
    }

    @Test
    void acceptsOldAlignmentsVersionsAndSpellings() throws IOException {
        byte[] data = le(8).putFloat(1).putFloat(2).array();
        float[] want = {1, 2};
        // 16-byte alignment of old numpy, no alignment at all, versions 2.0 and 3.0.
        assertArrayEquals(want, read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 16, data)).toFloatArray());
        assertArrayEquals(want, read(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 1, data)).toFloatArray());
        assertArrayEquals(want, read(npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 64, data)).toFloatArray());
        assertArrayEquals(want, read(npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 64, data)).toFloatArray());
        // Key order, double quotes, no trailing comma, Python 2 longs.
        assertArrayEquals(want, read(npy(1, "{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<f4\"}", 64, data)).toFloatArray());
        Tensor m = read(npy(1, "{'descr':'<f4','fortran_order':False,'shape':(1L, 2L)}", 64, data));
        assertArrayEquals(new int[] {1, 2}, m.shape());
    }

    @Test
    void writesVersion2WhenTheHeaderOutgrows64KiB() throws IOException {
        int[] shape = new int[25000]; // "1, " per dim: a header of about 75 KB
        Arrays.fill(shape, 1);
        shape[7] = 2;
        Tensor x = Tensor.of(new float[] {3, 4}, shape);
        Path f = dir.resolve("deep.npy");
        Npy.write(f, x);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(2, bytes[6], "major version");
        int hlen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertTrue(hlen > 0xffff);
        assertEquals(0, (12 + hlen) % 64);
        Tensor back = Npy.read(f);
        assertArrayEquals(shape, back.shape());
        assertArrayEquals(new float[] {3, 4}, back.toFloatArray());
    }

    @Test
    void toBytesGivesTheBytesOfTheFileWriteMakes() throws IOException {
        for (int[] shape : SHAPES) {
            Tensor t = Tensor.randn(new org.ddrl.tensor.rng.Generator(shape.length), shape);
            Path p = dir.resolve("same.npy");
            Npy.write(p, t);
            assertArrayEquals(Files.readAllBytes(p), Npy.toBytes(t), Arrays.toString(shape));
        }
        Tensor strided = Tensor.arange(24).reshape(4, 6).t();
        assertSameTensor(strided.contiguous(), read(Npy.toBytes(strided)));
        assertFails(IllegalArgumentException.class, () -> Npy.toBytes(Tensor.zeros(DType.BF16, 2)), "Npy.toBytes", "BF16");
    }
}
