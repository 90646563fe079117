package org.ddrl.tensor;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.ddrl.tensor.cpu.CpuBackend;

/**
 * The backend of each device, and the default device. The default comes from the system property
 * {@code ddrl.device}: {@code auto} (a GPU when one is usable, else cpu), {@code cpu}, {@code cuda[:N]}
 * or {@code cuda-emu[:N]}.
 */
public final class Backends {
    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static volatile Device defaultDevice;

    private Backends() {}

    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) return CpuBackend.INSTANCE;
        return BACKENDS.computeIfAbsent(device, Backends::create);
    }

    private static Backend create(Device device) {
        StringBuilder why = new StringBuilder();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.kind() != device.kind()) continue;
            if (p.available()) return p.create(device.index());
            why.append(' ').append(p.unavailableReason());
        }
        throw new IllegalStateException("device " + device + " is not available:"
                + (why.isEmpty() ? " no backend for it is on the class path" : why.toString()));
    }

    /** Whether a backend for this device kind is present and usable. */
    public static boolean available(Device.Kind kind) {
        if (kind == Device.Kind.CPU) return true;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.kind() == kind && p.available()) return true;
        }
        return false;
    }

    public static Device defaultDevice() {
        Device d = defaultDevice;
        if (d == null) {
            String prop = System.getProperty("ddrl.device", "auto").trim();
            if (prop.equalsIgnoreCase("auto")) {
                d = available(Device.Kind.CUDA) ? Device.cuda(0) : Device.CPU;
            } else {
                d = Device.parse(prop);
            }
            defaultDevice = d;
        }
        return d;
    }

    public static void setDefaultDevice(Device device) {
        defaultDevice = device;
    }
}
