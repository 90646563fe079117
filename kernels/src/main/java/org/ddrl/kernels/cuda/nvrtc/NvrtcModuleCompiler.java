package org.ddrl.kernels.cuda.nvrtc;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.ModuleSource;
import org.ddrl.kernels.cuda.driver.ModuleCompiler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles a kernel module's .cu from the class path with NVRTC for one device, through the disk cache.
 * Options: {@code --gpu-architecture=compute_XX} for the newest virtual architecture that NVRTC supports at or
 * below the device's compute capability (the driver JIT-compiles that PTX for the device), {@code -default-device}
 * (unannotated functions are device code), {@code -std=c++17}, and the CUDA include folder that sits next to the
 * NVRTC library when there is one (for headers such as cuda_fp16.h). NVRTC is loaded on the first compilation.
 */
public final class NvrtcModuleCompiler implements ModuleCompiler {
    private final PtxCache cache;

    public NvrtcModuleCompiler() {
        this(PtxCache.standard());
    }

    public NvrtcModuleCompiler(PtxCache cache) {
        this.cache = cache;
    }

    @Override
    public Compiled compile(ModuleSource source, int computeCapability, int driverVersion) {
        Nvrtc nvrtc = Nvrtc.get(driverVersion);
        int arch = architecture(nvrtc.supportedArchs(), computeCapability, nvrtc.version());
        String text = source.source();
        Map<String, String> headers = ClassPathHeaders.collect(text, "cuda", ModuleSource.class.getClassLoader());
        List<String> options = options(arch, includeFolder(nvrtc.location()));
        String key = PtxCache.key(text, headers, options, nvrtc.version());
        String origin = "NVRTC " + nvrtc.version() + ", compute_" + arch;
        Optional<String> cached = cache.get(source.name(), key);
        if (cached.isPresent()) return new Compiled(cached.get(), origin + ", from the cache " + cache.dir());
        String ptx = nvrtc.compile(text, source.name() + ".cu", headers, options);
        cache.put(source.name(), key, ptx);
        return new Compiled(ptx, origin);
    }

    /** The newest supported architecture not above the device's; PTX for it runs on the device through the JIT. */
    static int architecture(int[] supported, int computeCapability, String nvrtcVersion) {
        int best = -1;
        for (int a : supported) {
            if (a <= computeCapability) best = Math.max(best, a);
        }
        if (best < 0) {
            throw new CudaException("NVRTC " + nvrtcVersion + " cannot compile for compute capability " + computeCapability / 10 + "."
                    + computeCapability % 10 + ": it supports " + Arrays.toString(supported) + " (CUDA 13 needs compute capability 7.5 or newer)");
        }
        return best;
    }

    static List<String> options(int arch, Path includeFolder) {
        List<String> options = new ArrayList<>(List.of("--gpu-architecture=compute_" + arch, "-default-device", "-std=c++17"));
        if (includeFolder != null) options.add("-I" + includeFolder);
        return options;
    }

    /** The toolkit's include folder beside the library's lib64 folder, when the library is a file there. */
    static Path includeFolder(String libraryLocation) {
        Path lib = Path.of(libraryLocation);
        if (!lib.isAbsolute() || lib.getParent() == null || lib.getParent().getParent() == null) return null;
        Path include = lib.getParent().getParent().resolve("include");
        return Files.isRegularFile(include.resolve("cuda_fp16.h")) ? include : null;
    }
}
