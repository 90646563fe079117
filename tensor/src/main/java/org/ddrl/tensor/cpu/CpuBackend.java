package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Storage;

/** Host memory and the pure-Java kernels. Each kernel family registers itself from its own class. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private final Map<Op, Kernel> kernels = new EnumMap<>(Op.class);

    private CpuBackend() {
        CreationKernels.register(kernels);
        CopyKernels.register(kernels);
        IndexingKernels.register(kernels);
        ElementwiseKernels.register(kernels);
        ReductionKernels.register(kernels);
        MatmulKernels.register(kernels);
        NormKernels.register(kernels);
        ConvKernels.register(kernels);
        AttentionKernels.register(kernels);
        AttentionBackwardKernels.register(kernels);
        RandomKernels.register(kernels);
        ScatterKernels.register(kernels);
        SpecialKernels.register(kernels);
        ActivationBackwardKernels.register(kernels);
        FusedForwardKernels.register(kernels);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(long bytes) {
        CpuStorage s = CpuStorage.zeroed(bytes);
        Scope.adopt(s);
        return s;
    }

    @Override
    public void copyFromHost(MemorySegment src, Storage dst, long dstOffset, long bytes) {
        MemorySegment.copy(src, 0, ((CpuStorage) dst).segment(), dstOffset, bytes);
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, MemorySegment dst, long bytes) {
        MemorySegment.copy(((CpuStorage) src).segment(), srcOffset, dst, 0, bytes);
    }

    @Override
    public Kernel kernel(Op op) {
        return kernels.get(op);
    }
}
