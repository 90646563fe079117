package org.ddrl.tensor.io;

import static org.ddrl.tensor.io.IoAssertions.assertFails;
import static org.ddrl.tensor.io.NpyTest.npy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a .npy file can be damaged gives a TensorFileException naming the file and the numbers. */
class NpyMalformedTest {
    @TempDir
    Path dir;

    private void rejects(byte[] file, String... parts) {
        Path f = IoAssertions.write(dir.resolve("bad.npy"), file);
        String[] all = new String[parts.length + 1];
        all[0] = "bad.npy";
        System.arraycopy(parts, 0, all, 1, parts.length);
        assertFails(TensorFileException.class, () -> Npy.read(f), all);
    }

    /** A version 1.0 file with this dict and data. */
    private void rejects(String dict, byte[] data, String... parts) {
        rejects(npy(1, dict, 64, data), parts);
    }

    @Test
    void emptyFile() {
        rejects(new byte[0], "not a .npy file", "nothing (empty file)");
    }

    @Test
    void badMagic() {
        rejects("PK\u0003\u0004 a zip file".getBytes(), "not a .npy file", "50 4b 03 04 20 61", "93 4e 55 4d 50 59");
    }

    @Test
    void truncatedPreamble() {
        rejects(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, "8 bytes", "too short");
    }

    @Test
    void unsupportedVersions() {
        byte[] v4 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 64, new byte[4]);
        v4[6] = 4;
        rejects(v4, "version 4.0", "1.0, 2.0, 3.0");
        byte[] v11 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 64, new byte[4]);
        v11[7] = 1;
        rejects(v11, "version 1.1");
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] f = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 64, new byte[0]);
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) 60000);
        rejects(f, "header length field says 60000", "only 118 bytes");
    }

    @Test
    void hugeHeaderIsRefusedBeforeReadingIt() throws IOException {
        Path f = dir.resolve("bad.npy");
        long hlen = Npy.MAX_HEADER_BYTES + 1L;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0})
                    .putInt((int) hlen).array());
            raf.setLength(12 + hlen); // sparse
        }
        assertFails(TensorFileException.class, () -> Npy.read(f), "bad.npy", "header length " + hlen, "limit of " + Npy.MAX_HEADER_BYTES);
    }

    @Test
    void version3HeaderNotUtf8() {
        byte[] f = npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 64, new byte[4]);
        f[12 + 3] = (byte) 0xff;
        rejects(f, "not valid UTF-8");
    }

    @Test
    void headerNotADict() {
        rejects("['<f4', False, ()]", new byte[0], "expected '{' at character 0", "['<f4'");
    }

    @Test
    void missingKey() {
        rejects("{'descr': '<f4', 'shape': (2,), }", new byte[8], "missing key 'fortran_order'");
    }

    @Test
    void unknownKey() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", new byte[8], "unexpected key 'extra'");
    }

    @Test
    void duplicateKey() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (2,), }", new byte[8], "'shape' appears twice");
    }

    @Test
    void shapeNotATuple() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", new byte[8], "(2) is not a tuple", "(2,)");
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", new byte[8], "expected '('");
    }

    @Test
    void negativeDim() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", new byte[8], "negative dimension");
    }

    @Test
    void fractionalDim() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,), }", new byte[8], "expected a dimension");
    }

    @Test
    void fortranOrderNotABool() {
        rejects("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", new byte[8], "True or False");
        rejects("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2,), }", new byte[8], "True or False");
    }

    @Test
    void unterminatedString() {
        rejects("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", new byte[8], "expected ',' or '}' at character 17");
        rejects("{'descr': '<f4", new byte[8], "unterminated string");
    }

    @Test
    void textAfterTheDict() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", new byte[8], "after the closing '}'");
    }

    @Test
    void structuredDtype() {
        rejects("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", new byte[8], "structured");
    }

    @Test
    void unknownDescr() {
        rejects("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", new byte[16], "unsupported descr '<c8'");
        rejects("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", new byte[16], "'<u8'", "uint64");
        rejects("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", new byte[8], "'|f4'", "no byte order");
    }

    @Test
    void shapeProductOverflows() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", new byte[8],
                "[2147483647, 2147483647, 2147483647]", "64-bit");
    }

    @Test
    void dimAboveTheTensorLimit() {
        rejects("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,), }", new byte[8], "3000000000", "largest tensor dim");
    }

    @Test
    void truncatedData() {
        rejects("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", new byte[40], "[3, 2]", "needs 48 data bytes",
                "holds 40", "truncated");
    }

    @Test
    void trailingData() {
        rejects("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new byte[25], "needs 24 data bytes", "holds 25");
    }
}
