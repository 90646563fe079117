package org.ddrl.kernels.cuda.emu;

import org.ddrl.kernels.cuda.CudaException;

/** The CUresult codes the emulator reports, named as the driver names them. */
final class EmuErrors {
    static final int SUCCESS = 0;
    static final int INVALID_VALUE = 1;
    static final int OUT_OF_MEMORY = 2;
    static final int FILE_NOT_FOUND = 301;
    static final int INVALID_HANDLE = 400;
    static final int NOT_READY = 600;

    private EmuErrors() {}

    static String name(int code) {
        return switch (code) {
            case 0 -> "CUDA_SUCCESS";
            case 1 -> "CUDA_ERROR_INVALID_VALUE";
            case 2 -> "CUDA_ERROR_OUT_OF_MEMORY";
            case 3 -> "CUDA_ERROR_NOT_INITIALIZED";
            case 200 -> "CUDA_ERROR_INVALID_IMAGE";
            case 301 -> "CUDA_ERROR_FILE_NOT_FOUND";
            case 400 -> "CUDA_ERROR_INVALID_HANDLE";
            case 500 -> "CUDA_ERROR_NOT_FOUND";
            case 600 -> "CUDA_ERROR_NOT_READY";
            case 700 -> "CUDA_ERROR_ILLEGAL_ADDRESS";
            case 710 -> "CUDA_ERROR_ASSERT";
            case 715 -> "CUDA_ERROR_ILLEGAL_INSTRUCTION";
            case 719 -> "CUDA_ERROR_LAUNCH_FAILED";
            default -> "CUresult " + code;
        };
    }

    static CudaException error(String call, int code, String message) {
        return new CudaException(call, code, name(code), message);
    }
}
