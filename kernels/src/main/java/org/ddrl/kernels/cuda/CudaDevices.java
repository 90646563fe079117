package org.ddrl.kernels.cuda;

import org.ddrl.kernels.cuda.driver.CudaDriver;
import org.ddrl.kernels.cuda.driver.DriverApi;
import org.ddrl.kernels.cuda.driver.DriverCudaDevice;
import org.ddrl.kernels.cuda.driver.NativeLibraries;
import org.ddrl.kernels.cuda.jcuda.JCudaDevice;
import org.ddrl.kernels.cuda.jcuda.JCudaDriverApi;

import java.util.Locale;

/**
 * Real GPUs: whether there is one, and opening it through the chosen Java binding of the CUDA driver API,
 * {@code -Dddrl.cuda.binding=ffm} (the default: java.lang.foreign over libcuda.so.1) or {@code jcuda} (JCuda
 * 12.6.0's driver binding). Both give the same device behaviour. The answer to {@link #available} is computed
 * once per process.
 */
public final class CudaDevices {
    public static final String BINDING_PROPERTY = "ddrl.cuda.binding";

    private static final Object LOCK = new Object();
    private static Probe probe;

    private record Probe(int count, String reason) {
    }

    private CudaDevices() {
    }

    /** "ffm" or "jcuda", from the system property. */
    public static String binding() {
        String b = System.getProperty(BINDING_PROPERTY, "ffm").trim().toLowerCase(Locale.ROOT);
        if (!b.equals("ffm") && !b.equals("jcuda")) {
            throw new IllegalArgumentException("-D" + BINDING_PROPERTY + "=" + b + ": the CUDA binding is ffm (the default) or jcuda");
        }
        return b;
    }

    /** True when the driver library loads, initializes and reports at least one GPU. Never throws. */
    public static boolean available() {
        return probe().count() > 0;
    }

    /** How many GPUs the driver reports; 0 when CUDA is unavailable. Never throws. */
    public static int deviceCount() {
        return probe().count();
    }

    /** Why {@link #available} is false (what was searched, or what the driver said), or "" when it is true. */
    public static String unavailableReason() {
        return probe().reason();
    }

    /**
     * Opens GPU {@code ordinal} with the configured binding.
     *
     * @throws CudaException when CUDA is unavailable (the message says why) or the ordinal does not exist
     */
    public static CudaDevice open(int ordinal) {
        return binding().equals("jcuda") ? JCudaDevice.open(ordinal) : DriverCudaDevice.open(ordinal);
    }

    private static Probe probe() {
        synchronized (LOCK) {
            if (probe == null) probe = detect();
            return probe;
        }
    }

    private static Probe detect() {
        String binding;
        try {
            binding = binding();
        } catch (IllegalArgumentException e) {
            return new Probe(0, e.getMessage());
        }
        try {
            DriverApi api = binding.equals("jcuda") ? JCudaDriverApi.get() : CudaDriver.get();
            int n = api.deviceCount();
            if (n == 0) return new Probe(0, "the CUDA driver (" + NativeLibraries.versionString(api.driverVersion()) + ") reports no GPU");
            return new Probe(n, "");
        } catch (CudaException e) {
            return new Probe(0, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(0, "the CUDA driver could not be reached through " + binding + ": " + e);
        }
    }
}
