package org.ddrl.kernels.cuda.cublas;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.driver.Downcalls;
import org.ddrl.kernels.cuda.driver.LibrarySpec;
import org.ddrl.kernels.cuda.driver.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.ddrl.kernels.cuda.driver.Downcalls.invoke;

/**
 * cuBLAS through FFM: libcublas.so.13, else libcublas.so.12, with libcublasLt of the same major loaded first
 * from the same folder (libcublas finds it by soname, and the system loader would not look in that folder).
 * The library is chosen with the driver's version as a ceiling, because a CUDA 13 cuBLAS cannot initialize on
 * a CUDA 12 driver. One instance per driver major version; {@link CublasHandle} is the API.
 */
public final class Cublas {
    public static final LibrarySpec LIBCUBLAS = new LibrarySpec("cuBLAS", "libcublas.so", List.of(13, 12), List.of("libcublasLt.so"),
            "install cuBLAS: NVIDIA's package libcublas-13-0 (libcublas-12-x for a CUDA 12 driver) or the full CUDA toolkit", false);

    static final int SUCCESS = 0;
    private static final Map<Integer, String> STATUS_NAMES = Map.of(0, "CUBLAS_STATUS_SUCCESS", 1, "CUBLAS_STATUS_NOT_INITIALIZED", 3,
            "CUBLAS_STATUS_ALLOC_FAILED", 7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH", 11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR", 15, "CUBLAS_STATUS_NOT_SUPPORTED", 16,
            "CUBLAS_STATUS_LICENSE_ERROR");
    private static final int MAJOR_VERSION = 0;
    private static final int MINOR_VERSION = 1;
    private static final int PATCH_LEVEL = 2;

    private static final Object LOCK = new Object();
    /** By the driver's major version that capped the choice (0 for none), since that decides which library fits. */
    private static final Map<Integer, Cublas> BY_DRIVER_MAJOR = new HashMap<>();

    private final NativeLibraries.Loaded library;
    final MethodHandle create, destroy, setStream, sgemm, gemmEx, gemmStridedBatchedEx;
    private final MethodHandle getProperty, statusString;

    /**
     * The process's cuBLAS, loaded on first use.
     *
     * @param driverVersion cuDriverGetVersion's value
     * @throws CudaException listing every place searched when no usable cuBLAS is installed
     */
    public static Cublas get(int driverVersion) {
        synchronized (LOCK) {
            return BY_DRIVER_MAJOR.computeIfAbsent(driverVersion / 1000, k -> new Cublas(NativeLibraries.load(LIBCUBLAS, driverVersion)));
        }
    }

    private Cublas(NativeLibraries.Loaded library) {
        this.library = library;
        Downcalls d = new Downcalls(library);
        create = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cublasCreate_v2");
        destroy = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cublasDestroy_v2");
        setStream = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "cublasSetStream_v2");
        getProperty = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cublasGetProperty");
        statusString = d.findOptional(FunctionDescriptor.of(ADDRESS, JAVA_INT), "cublasGetStatusString");
        sgemm = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), "cublasSgemm_v2");
        gemmEx = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), "cublasGemmEx");
        gemmStridedBatchedEx = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT), "cublasGemmStridedBatchedEx");
    }

    /** "13.0.2". */
    public String version() {
        return property(MAJOR_VERSION) + "." + property(MINOR_VERSION) + "." + property(PATCH_LEVEL);
    }

    /** Where the library was loaded from. */
    public String location() {
        return library.location();
    }

    private int property(int which) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cublasGetProperty", invoke(() -> (int) getProperty.invokeExact(which, v)));
            return v.get(JAVA_INT, 0);
        }
    }

    /** The cublasStatus_t enum name of a code. */
    public static String statusName(int code) {
        return STATUS_NAMES.getOrDefault(code, "CUBLAS_STATUS_" + code);
    }

    void check(String call, int code) {
        if (code == SUCCESS) return;
        String text = null;
        if (statusString != null) text = Downcalls.cString(invoke(() -> (MemorySegment) statusString.invokeExact(code)));
        if (text == null) text = "no description from cuBLAS";
        if (code == 1) text += " (cuBLAS could not start the CUDA runtime: a cuBLAS newer than the driver, or no usable GPU)";
        throw new CudaException(call, code, statusName(code), text + " [" + location() + "]");
    }
}
