package org.ddrl.kernels.cuda.cublas;

/** cudaDataType values (library_types.h) of the matrices a cuBLAS call reads and writes. */
public enum DataType {
    R_32F(0, 4), R_64F(1, 8), R_16F(2, 2), R_16BF(14, 2);

    final int code;
    final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }
}
