package org.ddrl.tensor;

/**
 * Supplies the backend of one device kind (CUDA, emulated CUDA). Found with {@link java.util.ServiceLoader},
 * so a module that implements a device only needs to be on the class path.
 */
public interface BackendProvider {
    Device.Kind kind();

    /** Whether the device can be used here (driver present, compiler present...). */
    boolean available();

    /** Why it cannot be used, for error messages; empty when available. */
    String unavailableReason();

    Backend create(int index);
}
