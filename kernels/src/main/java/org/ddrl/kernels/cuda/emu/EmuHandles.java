package org.ddrl.kernels.cuda.emu;

import org.ddrl.kernels.cuda.CudaEvent;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;

/** The emulator's module, function and event handles. */
final class EmuHandles {
    private EmuHandles() {}

    record Module(EmulatedCudaDevice device, long handle, String name) implements CudaModule {}

    /** A kernel and the byte size of each of its parameters, to check launches against. */
    record Function(EmulatedCudaDevice device, long handle, String name, int[] parameterSizes) implements CudaFunction {}

    /** An event: the host time at which the work recorded before it had completed. */
    static final class Event implements CudaEvent {
        final EmulatedCudaDevice device;
        private final long id;
        volatile long nanos = -1;
        volatile boolean recorded;

        Event(EmulatedCudaDevice device, long id) {
            this.device = device;
            this.id = id;
        }

        @Override
        public long handle() {
            return id;
        }
    }
}
