package org.ddrl.kernels.cuda.cublas;

/** cublasOperation_t: whether cuBLAS reads a (column-major) operand as stored or transposed. */
public enum Transpose {
    N(0), T(1);

    final int code;

    Transpose(int code) {
        this.code = code;
    }
}
