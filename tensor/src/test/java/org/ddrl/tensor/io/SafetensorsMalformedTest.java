package org.ddrl.tensor.io;

import static org.ddrl.tensor.io.IoAssertions.assertFails;
import static org.ddrl.tensor.io.IoAssertions.safetensorsBytes;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can be damaged gives a TensorFileException naming the file and the numbers. */
class SafetensorsMalformedTest {
    private static final String F32_2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";

    @TempDir
    Path dir;

    private Path file(byte[] bytes) {
        return IoAssertions.write(dir.resolve("bad.safetensors"), bytes);
    }

    /** Opening a file of this header and data fails with a message holding the file name and every part. */
    private void rejects(String header, byte[] data, String... parts) {
        Path f = file(safetensorsBytes(header, data));
        String[] all = new String[parts.length + 1];
        all[0] = "bad.safetensors";
        System.arraycopy(parts, 0, all, 1, parts.length);
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f).close(), all);
    }

    private static byte[] lengthField(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    @Test
    void fileShorterThanTheLengthField() {
        Path f = file(new byte[] {1, 2, 3, 4, 5});
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f), "bad.safetensors", "5 bytes", "8-byte");
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        Path f = file(b);
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f), "bad.safetensors", "1000", "only 12 bytes");
    }

    @Test
    void headerLengthAboveTwoToThe63() {
        Path f = file(lengthField(-1));
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f), "18446744073709551615", "only 0 bytes");
    }

    @Test
    void headerLengthAboveTheCapIsRefusedBeforeReadingIt() throws IOException {
        long n = SafetensorsHeader.MAX_BYTES + 1;
        Path f = dir.resolve("bad.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(lengthField(n));
            raf.setLength(8 + n); // sparse
        }
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f), "bad.safetensors", "100000001", "limit of 100000000");
    }

    @Test
    void headerNotUtf8() {
        byte[] header = {'{', '"', 'a', (byte) 0xff, '"', ':', '1', '}'};
        byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(header).array();
        Path f = file(b);
        assertFails(TensorFileException.class, () -> SafetensorsFile.open(f), "bad.safetensors", "not valid UTF-8", "0xff",
                "header byte 3");
    }

    @Test
    void headerNotJson() {
        rejects("{\"a\": }", new byte[0], "not valid JSON");
    }

    @Test
    void headerNotAnObject() {
        rejects("[1, 2]  ", new byte[0], "must be a JSON object", "'[1, 2]");
    }

    @Test
    void textAfterTheHeaderObject() {
        rejects("{} {}", new byte[0], "unexpected START_OBJECT after the header object", "column: 4");
    }

    @Test
    void tensorEntryNotAnObject() {
        rejects("{\"a\":[1]}", new byte[0], "'a'", "must be an object", "array");
    }

    @Test
    void missingField() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8], "'a'", "lacks \"data_offsets\"", "[dtype, shape]");
    }

    @Test
    void dtypeNotAString() {
        rejects("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "'a'", "dtype must be a string", "number 4");
    }

    @Test
    void shapeNotAnArray() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", new byte[8], "'a'", "shape must be an array");
    }

    @Test
    void shapeOfFractions() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", new byte[8], "'a'", "shape", "element 0 is 2.0");
    }

    @Test
    void negativeShape() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[3,-1],\"data_offsets\":[0,8]}}", new byte[8], "'a'", "element 1 is -1");
    }

    @Test
    void shapeBeyond64Bits() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", new byte[8],
                "'a'", "99999999999999999999");
    }

    @Test
    void shapeWhoseByteCountOverflows() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", new byte[8],
                "'a'", "[4611686018427387904, 4]", "64-bit");
    }

    @Test
    void unknownDtype() {
        rejects("{\"a\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8], "'a'", "unknown dtype 'F12'", "BF16");
    }

    @Test
    void subByteTypeNotFillingBytes() {
        rejects("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", new byte[2], "'a'", "3 elements of F4",
                "whole number of bytes");
    }

    @Test
    void dataOffsetsNotAPair() {
        rejects("{\"a\":" + F32_2 + "[0]}}", new byte[8], "'a'", "[begin, end]", "got 1 number");
    }

    @Test
    void dataOffsetsBackwards() {
        rejects("{\"a\":" + F32_2 + "[8,0]}}", new byte[8], "'a'", "[8, 0]", "begin after end");
    }

    @Test
    void headerLiesAboutTheSize() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8], "'a'", "span 8 bytes", "needs 12 bytes");
    }

    @Test
    void truncatedData() {
        rejects("{\"a\":" + F32_2 + "[0,8]}}", new byte[5], "'a'", "[0, 8]", "holds only 5 bytes", "truncated");
    }

    @Test
    void overlappingTensors() {
        rejects("{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[4,12]}}", new byte[12], "'a' [0, 8)", "'b' [4, 12)", "overlap");
    }

    @Test
    void gapBetweenTensors() {
        rejects("{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[12,20]}}", new byte[20], "bytes [8, 12)", "'b'", "no tensor");
    }

    @Test
    void bytesAfterTheLastTensor() {
        rejects("{\"a\":" + F32_2 + "[0,8]}}", new byte[11], "cover 8 bytes", "holds 11", "3 bytes after the last tensor");
    }

    @Test
    void duplicateTensorNames() {
        rejects("{\"a\":" + F32_2 + "[0,8]},\"a\":" + F32_2 + "[8,16]}}", new byte[16], "tensor 'a' appears twice");
    }

    @Test
    void duplicateFieldInAnEntry() {
        rejects("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8], "entry 'a' is not valid JSON", "Duplicate field 'dtype'");
    }

    @Test
    void duplicateMetadata() {
        rejects("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0], "two \"__metadata__\"");
    }

    @Test
    void metadataNotAnObject() {
        rejects("{\"__metadata__\":[\"x\"]}", new byte[0], "\"__metadata__\" must be an object");
    }

    @Test
    void metadataValueNotAString() {
        rejects("{\"__metadata__\":{\"epoch\":3}}", new byte[0], "metadata value of 'epoch'", "number 3");
    }
}
