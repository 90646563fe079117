package org.ddrl.tensor.io;

import static org.ddrl.tensor.io.IoAssertions.assertFails;
import static org.ddrl.tensor.io.IoAssertions.assertSameTensor;
import static org.ddrl.tensor.io.IoAssertions.listing;
import static org.ddrl.tensor.io.IoAssertions.safetensorsBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Saving and loading safetensors files: round trips, the exact byte layout, lazy reading. */
class SafetensorsTest {
    private static final int[][] SHAPES = {{}, {0}, {1}, {3}, {17, 3}, {2, 0, 5}, {3, 1, 33}, {2, 3, 4, 5}};

    @TempDir
    Path dir;
    private final Random rnd = new Random(11);

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryShape(DType dt) throws IOException {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) saved.put("t" + i, OpCheck.random(rnd, dt, SHAPES[i]));
        Path f = dir.resolve("x.safetensors");
        Safetensors.save(f, saved);
        Map<String, Tensor> loaded = Safetensors.load(f);
        assertEquals(saved.keySet(), loaded.keySet());
        for (String name : saved.keySet()) assertSameTensor(saved.get(name), loaded.get(name));
        assertEquals(List.of("x.safetensors"), listing(dir), "no temporary file may remain");
    }

    @Test
    void mixedDtypesAreAlignedAndMetadataRoundTrips() throws IOException {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (DType dt : DType.values()) saved.put("w_" + dt, OpCheck.random(rnd, dt, 3, 5));
        saved.put("odd", OpCheck.random(rnd, DType.BOOL, 7));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "quotes \" and \\ and ünïcödé ✓");
        Path f = dir.resolve("m.safetensors");
        Safetensors.save(f, saved, meta);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(meta, sf.metadata());
            for (String name : saved.keySet()) {
                TensorInfo info = sf.info(name);
                int size = saved.get(name).dtype().byteSize();
                assertEquals(0, info.begin() % size, name + " must start at a multiple of its element size: " + info);
                assertSameTensor(saved.get(name), sf.get(name));
            }
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "the header is padded to a multiple of 8");
    }

    @Test
    void nonContiguousAndBroadcastSources() throws IOException {
        Tensor x = OpCheck.random(rnd, DType.F32, 3, 4, 5);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (String kind : new String[] {"transposed", "strided", "offset"}) saved.put(kind, OpCheck.relayout(x, kind));
        saved.put("permuted", x.permute(2, 0, 1));
        saved.put("stepped", x.slice(2, 1, 5, 2));
        saved.put("expanded", OpCheck.random(rnd, DType.I64, 3, 1).expand(3, 4));
        saved.put("selected", OpCheck.random(rnd, DType.BF16, 4, 6).select(1, 3));
        Path f = dir.resolve("v.safetensors");
        Safetensors.save(f, saved);
        Map<String, Tensor> loaded = Safetensors.load(f);
        for (String name : saved.keySet()) assertSameTensor(saved.get(name).contiguous(), loaded.get(name));
    }

    @Test
    void writesTheExactReferenceLayout() throws IOException {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        saved.put("b", Tensor.of(new int[] {1, -2}));
        saved.put("a", Tensor.scalar(1.5));
        saved.put("z", Tensor.of(new double[] {2}, 1, 1));
        Path f = dir.resolve("exact.safetensors");
        Safetensors.save(f, saved, Map.of("k", "v"));

        // Largest elements first, then by name; __metadata__ leads; compact JSON padded with spaces to 8 bytes.
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"z\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        ByteBuffer data = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putDouble(2).putFloat(1.5f).putInt(1).putInt(-2);
        assertArrayEquals(safetensorsBytes(padded, data.array()), Files.readAllBytes(f));
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        String header = "{\"flags\":{\"dtype\":\"BOOL\",\"shape\":[4],\"data_offsets\":[4,8]},"
                + "\"h\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"__metadata__\":{\"who\":\"hand\"}}";
        // bf16 0x3fc0 = 1.5, 0xc000 = -2; a BOOL byte of 2 is true and loads as 1.
        byte[] data = {(byte) 0xc0, 0x3f, 0x00, (byte) 0xc0, 0, 1, 2, 0};
        Path f = IoAssertions.write(dir.resolve("hand.safetensors"), safetensorsBytes(header, data));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(List.of("flags", "h"), sf.names());
            assertEquals(Map.of("who", "hand"), sf.metadata());
            assertEquals(SafetensorsDType.BF16, sf.info("h").dtype());
            assertArrayEquals(new long[] {2}, sf.info("h").shape());
            assertArrayEquals(new float[] {1.5f, -2f}, sf.get("h").toFloatArray());
            Tensor flags = sf.get("flags");
            assertArrayEquals(new boolean[] {false, true, true, false}, flags.toBooleanArray());
            assertArrayEquals(new byte[] {0, 1, 1, 0}, CpuTensors.seg(flags).toArray(ValueLayout.JAVA_BYTE),
                    "true is stored as 1 whatever byte the file used");
        }
    }

    @Test
    void openingReadsOnlyTheHeaderAndGetOnlyItsTensor() throws IOException {
        long big = 32L << 30; // 32 GiB, more than this machine is expected to have to spare
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[8,1024,1024,1024],\"data_offsets\":[0," + big + "]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + big + 8); // sparse: the big tensor takes no disk space
            raf.seek(8 + h.length + big);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(3).putFloat(-4).array());
        }
        long before = HostMemory.allocatedBytes();
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(big, sf.info("big").byteSize());
            assertArrayEquals(new float[] {3, -4}, sf.get("small").toFloatArray());
            long grown = HostMemory.allocatedBytes() - before;
            assertTrue(grown < 1 << 20, "opening and reading the small tensor allocated " + grown + " bytes");
        }
    }

    @Test
    void unloadableDtypesAreListedButNotLoaded() throws IOException {
        String header = "{\"img\":{\"dtype\":\"U8\",\"shape\":[2,2],\"data_offsets\":[0,4]},"
                + "\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[4,8]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path f = IoAssertions.write(dir.resolve("u8.safetensors"), safetensorsBytes(header, new byte[12]));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(SafetensorsDType.U8, sf.info("img").dtype());
            assertArrayEquals(new long[] {2, 2}, sf.info("img").shape());
            assertFails(UnsupportedOperationException.class, () -> sf.get("img"), "u8.safetensors", "'img'", "U8");
            assertFails(UnsupportedOperationException.class, () -> sf.get("q"), "'q'", "F8_E4M3");
            assertArrayEquals(new float[] {0}, sf.get("f").toFloatArray());
        }
    }

    @Test
    void dimsBeyondTensorLimitsAreRefusedOnGet() throws IOException {
        String header = "{\"wide\":{\"dtype\":\"F32\",\"shape\":[0,3000000000],\"data_offsets\":[0,0]}}";
        Path f = IoAssertions.write(dir.resolve("wide.safetensors"), safetensorsBytes(header, new byte[0]));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertFails(UnsupportedOperationException.class, () -> sf.get("wide"), "'wide'", "3000000000", "dim 1");
        }
    }

    @Test
    void unknownNamesAndClosedFilesFailClearly() throws IOException {
        Path f = dir.resolve("n.safetensors");
        Safetensors.save(f, Map.of("a", Tensor.of(new float[] {1}), "b", Tensor.of(new float[] {2})));
        SafetensorsFile sf = SafetensorsFile.open(f);
        assertFails(IllegalArgumentException.class, () -> sf.get("c"), "n.safetensors", "'c'", "[a, b]");
        Tensor a = sf.get("a");
        sf.close();
        sf.close();
        assertFails(IllegalStateException.class, () -> sf.get("a"), "closed", "'a'");
        assertArrayEquals(new float[] {1}, a.toFloatArray(), "tensors read before closing stay valid");
    }

    @Test
    void emptyFileOfNoTensors() throws IOException {
        Path f = dir.resolve("none.safetensors");
        Safetensors.save(f, Map.of());
        assertArrayEquals(safetensorsBytes("{}      ", new byte[0]), Files.readAllBytes(f));
        assertTrue(Safetensors.load(f).isEmpty());
    }

    @Test
    void saveRejectsBadArgumentsAndKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        Safetensors.save(f, Map.of("a", Tensor.of(new float[] {1, 2})));
        byte[] old = Files.readAllBytes(f);
        assertFails(IllegalArgumentException.class,
                () -> Safetensors.save(f, Map.of("__metadata__", Tensor.of(new float[] {1}))), "__metadata__", "reserved");
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertFails(IllegalArgumentException.class, () -> Safetensors.save(f, withNull), "'x'", "null");
        Tensor released = Tensor.zeros(DType.F32, Device.CPU, 4);
        released.storage().release();
        assertFails(IllegalStateException.class, () -> Safetensors.save(f, Map.of("gone", released)), "'gone'", "released");
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("keep.safetensors"), listing(dir));
    }
}
