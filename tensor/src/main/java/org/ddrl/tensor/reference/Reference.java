package org.ddrl.tensor.reference;

import java.util.EnumMap;
import java.util.Map;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;

/**
 * The oracle: every catalog op in plain scalar loops over F64 values. Results are rounded to the
 * output dtype the way a real kernel stores them, so integer and BOOL results compare exactly.
 */
public final class Reference {
    /** One op's reference implementation. */
    @FunctionalInterface
    public interface RefKernel {
        RefTensor apply(Attrs attrs, RefTensor... inputs);
    }

    private static final Map<Op, RefKernel> KERNELS = new EnumMap<>(Op.class);

    static {
        RefCore.register(KERNELS);
        RefIndexing.register(KERNELS);
        RefElementwise.register(KERNELS);
        RefReductions.register(KERNELS);
        RefMatmul.register(KERNELS);
        RefNorms.register(KERNELS);
        RefNormsBackward.register(KERNELS);
        RefFusedForward.register(KERNELS);
        RefConv.register(KERNELS);
        RefAttention.register(KERNELS);
        RefRandom.register(KERNELS);
        RefSpecial.register(KERNELS);
    }

    private Reference() {}

    public static boolean has(Op op) {
        return KERNELS.containsKey(op);
    }

    public static RefTensor eval(Op op, Attrs attrs, RefTensor... inputs) {
        RefKernel k = KERNELS.get(op);
        if (k == null) throw new UnsupportedOperationException("reference: no implementation of " + op.opName());
        return k.apply(attrs, inputs);
    }

    /** v as stored in dt. */
    public static double round(double v, DType dt) {
        return switch (dt) {
            case F64 -> v;
            case F32 -> (float) v;
            case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16((float) v));
            case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16((float) v));
            case I32 -> (int) (long) v;
            case I64 -> (long) v;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }
}
