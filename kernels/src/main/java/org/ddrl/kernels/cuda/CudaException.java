package org.ddrl.kernels.cuda;

/** A failed CUDA call: the call, the error code and name, and the driver's (or emulator's) message. */
public class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String call, int code, String name, String message) {
        super(call + " failed: " + name + " (" + code + "): " + message);
        this.code = code;
    }

    public CudaException(String message) {
        super(message);
        this.code = -1;
    }

    /** The CUresult code, or -1 when there is none. */
    public int code() {
        return code;
    }
}
