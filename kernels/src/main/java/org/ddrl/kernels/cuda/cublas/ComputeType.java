package org.ddrl.kernels.cuda.cublas;

/**
 * cublasComputeType_t: how cuBLAS multiplies and accumulates. Only the FP32-accumulating types are offered,
 * since alpha and beta are passed as floats, which is their scale type.
 */
public enum ComputeType {
    /** FP32 math and accumulation; may still use tensor cores for 16-bit inputs. */
    F32(68),
    /** FP32 exactly as the reference (no reduced-precision tricks anywhere). */
    F32_PEDANTIC(69),
    /** FP32 inputs rounded to TF32 for the tensor cores, FP32 accumulation (Ampere and newer). */
    F32_FAST_TF32(77),
    /** FP32 inputs rounded to BF16 for the tensor cores, FP32 accumulation. */
    F32_FAST_16BF(75),
    /** FP32 inputs rounded to FP16 for the tensor cores, FP32 accumulation. */
    F32_FAST_16F(74);

    final int code;

    ComputeType(int code) {
        this.code = code;
    }
}
