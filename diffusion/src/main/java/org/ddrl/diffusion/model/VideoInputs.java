package org.ddrl.diffusion.model;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** The shape checks every {@link VideoModel} makes on its inputs, with one message that shows them all. */
final class VideoInputs {
    private VideoInputs() {}

    static void check(String model, VideoModel m, Tensor xt, Tensor t, Tensor text, Tensor textMask) {
        int b = xt.dim() == 5 ? xt.size(0) : -1;
        boolean ok = xt.dim() == 5 && xt.size(1) == m.inChannels() && xt.dtype().isFloatingPoint()
                && t.dim() == 1 && t.size(0) == b && t.dtype().isFloatingPoint()
                && text.dim() == 3 && text.size(0) == b && text.size(2) == m.textDim()
                && textMask.dtype() == DType.BOOL && textMask.dim() == 2 && textMask.size(0) == b && textMask.size(1) == text.size(1);
        if (!ok) {
            throw new IllegalArgumentException(model + ": inputs x_t " + xt.dtype() + Shapes.str(xt.shape()) + ", t " + t.dtype()
                    + Shapes.str(t.shape()) + ", text " + text.dtype() + Shapes.str(text.shape()) + ", text mask " + textMask.dtype()
                    + Shapes.str(textMask.shape()) + " must be floating [B, " + m.inChannels() + ", T, H, W], floating [B], [B, L, "
                    + m.textDim() + "] and BOOL [B, L]");
        }
    }
}
