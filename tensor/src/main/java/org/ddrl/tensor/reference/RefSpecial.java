package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/** Reference erf and scatter_add. */
final class RefSpecial {
    private RefSpecial() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.ERF, (a, in) -> {
            DType dt = in[0].dtype().isFloatingPoint() ? in[0].dtype() : DType.F32;
            RefTensor out = RefTensor.zeros(dt, in[0].shape());
            for (int i = 0; i < out.numel(); i++) out.data()[i] = Reference.round(SpecialMath.erf(in[0].data()[i]), dt);
            return out;
        });
        k.put(Op.SCATTER_ADD, (a, in) -> {
            RefTensor base = in[0], index = in[1], src = in[2];
            int dim = Shapes.dim("scatter_add", a.i("dim"), base.rank());
            double[] out = base.data().clone();
            for (int f = 0; f < index.numel(); f++) {
                int[] pos = index.index(f);
                int[] srcPos = pos.clone();
                pos[dim] = (int) index.data()[f];
                out[base.flat(pos)] += src.data()[src.flat(srcPos)];
            }
            return new RefTensor(out, base.shape(), base.dtype()).roundTo(base.dtype());
        });
    }
}
