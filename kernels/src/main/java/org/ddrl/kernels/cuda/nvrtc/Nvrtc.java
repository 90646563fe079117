package org.ddrl.kernels.cuda.nvrtc;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.driver.Downcalls;
import org.ddrl.kernels.cuda.driver.LibrarySpec;
import org.ddrl.kernels.cuda.driver.NativeLibraries;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.ddrl.kernels.cuda.driver.Downcalls.invoke;

/**
 * NVRTC, the CUDA C++ compiler library, through FFM: libnvrtc.so.13, else libnvrtc.so.12. It needs no GPU.
 * The PTX it emits carries its own ISA version, which a driver older than NVRTC's major cannot JIT, so the
 * library is chosen with the driver's version as a ceiling; one instance per driver major version.
 */
public final class Nvrtc {
    public static final LibrarySpec LIBNVRTC = new LibrarySpec("NVRTC", "libnvrtc.so", List.of(13, 12),
            List.of("libnvrtc-builtins.so"),
            "install NVRTC: NVIDIA's package cuda-nvrtc-13-0 (cuda-nvrtc-12-x for a CUDA 12 driver) or the full CUDA toolkit", false);

    private static final int NVRTC_SUCCESS = 0;
    private static final int NVRTC_ERROR_COMPILATION = 6;
    private static final String[] RESULT_NAMES = {"NVRTC_SUCCESS", "NVRTC_ERROR_OUT_OF_MEMORY", "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
            "NVRTC_ERROR_INVALID_INPUT", "NVRTC_ERROR_INVALID_PROGRAM", "NVRTC_ERROR_INVALID_OPTION", "NVRTC_ERROR_COMPILATION",
            "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE", "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
            "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION", "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID", "NVRTC_ERROR_INTERNAL_ERROR",
            "NVRTC_ERROR_TIME_FILE_WRITE_FAILED"};

    private static final Object LOCK = new Object();
    /** By the driver's major version that capped the choice (0 for none), since that decides which library fits. */
    private static final Map<Integer, Nvrtc> BY_DRIVER_MAJOR = new HashMap<>();

    private final NativeLibraries.Loaded library;
    private final MethodHandle nvrtcVersion, nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetPTXSize, nvrtcGetPTX, nvrtcGetProgramLogSize,
            nvrtcGetProgramLog, nvrtcDestroyProgram, nvrtcGetErrorString, nvrtcGetNumSupportedArchs, nvrtcGetSupportedArchs;
    private final int major;
    private final int minor;

    /**
     * The process's NVRTC, loaded on first use.
     *
     * @param driverVersion cuDriverGetVersion's value, or 0 when PTX is not meant for this machine's driver
     * @throws CudaException listing every place searched when no usable NVRTC is installed
     */
    public static Nvrtc get(int driverVersion) {
        synchronized (LOCK) {
            return BY_DRIVER_MAJOR.computeIfAbsent(driverVersion / 1000, k -> new Nvrtc(NativeLibraries.load(LIBNVRTC, driverVersion)));
        }
    }

    private Nvrtc(NativeLibraries.Loaded library) {
        this.library = library;
        Downcalls d = new Downcalls(library);
        nvrtcVersion = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "nvrtcVersion");
        nvrtcCreateProgram = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), "nvrtcCreateProgram");
        nvrtcCompileProgram = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), "nvrtcCompileProgram");
        nvrtcGetPTXSize = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "nvrtcGetPTXSize");
        nvrtcGetPTX = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "nvrtcGetPTX");
        nvrtcGetProgramLogSize = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "nvrtcGetProgramLog");
        nvrtcDestroyProgram = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "nvrtcDestroyProgram");
        nvrtcGetErrorString = d.find(FunctionDescriptor.of(ADDRESS, JAVA_INT), "nvrtcGetErrorString");
        nvrtcGetNumSupportedArchs = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "nvrtcGetNumSupportedArchs");
        nvrtcGetSupportedArchs = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "nvrtcGetSupportedArchs");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment maj = a.allocate(JAVA_INT);
            MemorySegment min = a.allocate(JAVA_INT);
            check("nvrtcVersion", invoke(() -> (int) nvrtcVersion.invokeExact(maj, min)));
            major = maj.get(JAVA_INT, 0);
            minor = min.get(JAVA_INT, 0);
        }
    }

    /** "13.0". */
    public String version() {
        return major + "." + minor;
    }

    /** The virtual architectures this NVRTC can compile for, ascending (75, 80, 86, ... for NVRTC 13). */
    public int[] supportedArchs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check("nvrtcGetNumSupportedArchs", invoke(() -> (int) nvrtcGetNumSupportedArchs.invokeExact(n)));
            MemorySegment archs = a.allocate(JAVA_INT, Math.max(1, n.get(JAVA_INT, 0)));
            check("nvrtcGetSupportedArchs", invoke(() -> (int) nvrtcGetSupportedArchs.invokeExact(archs)));
            int[] out = new int[n.get(JAVA_INT, 0)];
            for (int i = 0; i < out.length; i++) out[i] = archs.getAtIndex(JAVA_INT, i);
            Arrays.sort(out);
            return out;
        }
    }

    /** Where the library was loaded from. */
    public String location() {
        return library.location();
    }

    /**
     * Compiles one translation unit to PTX.
     *
     * @param source  the CUDA C++ source
     * @param name    its file name, as it appears in the compiler's messages
     * @param headers headers it includes with quotes, by the name written in the #include, to their text
     * @param options NVRTC options, e.g. --gpu-architecture=compute_90
     * @throws CudaException with the compiler's log when compilation fails
     */
    public String compile(String source, String name, Map<String, String> headers, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            List<String> headerNames = new ArrayList<>(headers.keySet());
            MemorySegment headerTexts = strings(a, headerNames.stream().map(headers::get).toList());
            MemorySegment includeNames = strings(a, headerNames);
            MemorySegment src = a.allocateFrom(source);
            MemorySegment srcName = a.allocateFrom(name);
            int n = headerNames.size();
            check("nvrtcCreateProgram(" + name + ")", invoke(() -> (int) nvrtcCreateProgram.invokeExact(prog, src, srcName, n, headerTexts, includeNames)));
            MemorySegment program = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = strings(a, options);
                int optCount = options.size();
                int code = invoke(() -> (int) nvrtcCompileProgram.invokeExact(program, optCount, opts));
                if (code != NVRTC_SUCCESS) {
                    String what = code == NVRTC_ERROR_COMPILATION ? name + " does not compile" : errorString(code);
                    throw new CudaException("nvrtcCompileProgram(" + name + ", " + String.join(" ", options) + ")", code, resultName(code),
                            what + " (NVRTC " + version() + " from " + location() + ")\ncompiler log:\n" + log(a, program));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", invoke(() -> (int) nvrtcGetPTXSize.invokeExact(program, size)));
                MemorySegment ptx = a.allocate(size.get(JAVA_LONG, 0) + 1);
                check("nvrtcGetPTX", invoke(() -> (int) nvrtcGetPTX.invokeExact(program, ptx)));
                return ptx.getString(0);
            } finally {
                int ignored = invoke(() -> (int) nvrtcDestroyProgram.invokeExact(prog));
            }
        }
    }

    private String log(Arena a, MemorySegment program) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (invoke(() -> (int) nvrtcGetProgramLogSize.invokeExact(program, size)) != NVRTC_SUCCESS) return "(no log)";
        MemorySegment log = a.allocate(size.get(JAVA_LONG, 0) + 1);
        if (invoke(() -> (int) nvrtcGetProgramLog.invokeExact(program, log)) != NVRTC_SUCCESS) return "(no log)";
        return log.getString(0).strip();
    }

    private static MemorySegment strings(Arena a, List<String> values) {
        MemorySegment array = a.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) array.setAtIndex(ADDRESS, i, a.allocateFrom(values.get(i)));
        return values.isEmpty() ? MemorySegment.NULL : array;
    }

    private String errorString(int code) {
        MemorySegment s = Downcalls.invoke(() -> (MemorySegment) nvrtcGetErrorString.invokeExact(code));
        String text = Downcalls.cString(s);
        return text != null ? text : resultName(code);
    }

    /** The nvrtcResult enum name of a code. */
    public static String resultName(int code) {
        return code >= 0 && code < RESULT_NAMES.length ? RESULT_NAMES[code] : "NVRTC_ERROR_" + code;
    }

    private void check(String call, int code) {
        if (code != NVRTC_SUCCESS) throw new CudaException(call, code, resultName(code), errorString(code));
    }
}
