package org.ddrl.autodiff.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;

/**
 * An optimizer's state for one parameter: how many updates it received and its buffers (momentum,
 * moments). Buffers are created on first use, on the parameter's device, in {@link #stateType} of its
 * dtype, and live as long as the parameter: they belong to the scope that owns it (or to the garbage
 * collector), never to the per-step scope they were created in.
 */
public final class ParamState {
    private final Tensor param;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private long step;

    ParamState(Tensor param) {
        this.param = param;
    }

    /**
     * The dtype of the state and of the update arithmetic for a parameter dtype: F64 stays F64, everything
     * else computes in F32, so BF16/F16 parameters keep F32 moments.
     */
    public static DType stateType(DType paramType) {
        return paramType == DType.F64 ? DType.F64 : DType.F32;
    }

    /** Updates taken so far, counting the one in progress inside {@link Optimizer#update}. */
    public long step() {
        return step;
    }

    void setStep(long step) {
        this.step = step;
    }

    /** The buffer, or null before it was created. */
    public Tensor get(String key) {
        return buffers.get(key);
    }

    /** The buffer, created as zeros when absent. */
    public Tensor zeros(String key) {
        Tensor b = buffers.get(key);
        return b != null ? b : create(key);
    }

    /** Creates the buffer holding a copy of {@code value} (converted to the state dtype); returns it. */
    public Tensor init(String key, Tensor value) {
        return create(key).copyFrom(value);
    }

    private Tensor create(String key) {
        Tensor b = Tensor.zeros(stateType(param.dtype()), param.device(), param.shape());
        buffers.put(key, Scope.transferToOwnerOf(b, param));
        return b;
    }

    /** The buffers by key, read-only. */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    void clear() {
        buffers.clear();
        step = 0;
    }
}
