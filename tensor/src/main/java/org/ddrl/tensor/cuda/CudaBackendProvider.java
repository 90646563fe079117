package org.ddrl.tensor.cuda;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.BackendProvider;
import org.ddrl.tensor.Device;

/**
 * Supplies {@link CudaBackend}s for one device kind from a device implementation in the kernels module,
 * reached through its factory class: static {@code available()}, {@code unavailableReason()} and
 * {@code open(int)}. The factory is looked up by name, so the tensor module builds and runs (reporting
 * the device as unavailable, with the reason) on class paths without that implementation.
 */
abstract class CudaBackendProvider implements BackendProvider {
    private final Device.Kind kind;
    private final String factoryClass;
    private final String description;

    CudaBackendProvider(Device.Kind kind, String factoryClass, String description) {
        this.kind = kind;
        this.factoryClass = factoryClass;
        this.description = description;
    }

    @Override
    public Device.Kind kind() {
        return kind;
    }

    @Override
    public boolean available() {
        return unavailableReason().isEmpty();
    }

    @Override
    public String unavailableReason() {
        try {
            Class<?> f = factory();
            if ((Boolean) f.getMethod("available").invoke(null)) return "";
            return description + " is not usable: " + f.getMethod("unavailableReason").invoke(null);
        } catch (ClassNotFoundException e) {
            return description + " is not on the class path (" + factoryClass + " is missing)";
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable c = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            return description + " could not be probed: " + c;
        }
    }

    @Override
    public Backend create(int index) {
        String why = unavailableReason();
        if (!why.isEmpty()) throw new IllegalStateException(why);
        CudaDevice device;
        try {
            Method open = factory().getMethod("open", int.class);
            device = (CudaDevice) open.invoke(null, index);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(description + ": " + factoryClass + " has no usable open(int): " + e, e);
        }
        return new CudaBackend(new Device(kind, index), device);
    }

    private Class<?> factory() throws ClassNotFoundException {
        return Class.forName(factoryClass, true, CudaBackendProvider.class.getClassLoader());
    }

    /** {@code cuda:N}: a GPU through the CUDA driver API. */
    public static final class Driver extends CudaBackendProvider {
        public Driver() {
            super(Device.Kind.CUDA, "org.ddrl.kernels.cuda.CudaDevices", "the CUDA driver binding");
        }
    }

    /** {@code cuda-emu:N}: the same kernels compiled for the host and run by the emulator. */
    public static final class Emulator extends CudaBackendProvider {
        public Emulator() {
            super(Device.Kind.CUDA_EMU, "org.ddrl.kernels.cuda.emu.EmulatedCudaDevices", "the CUDA emulator");
        }
    }
}
