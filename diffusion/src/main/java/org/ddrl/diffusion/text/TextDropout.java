package org.ddrl.diffusion.text;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Caption dropout for classifier-free guidance: during training each caption is replaced, with
 * probability p, by the empty caption "", which the tokenizer encodes as {@code <cls>} alone. The model so
 * learns the unconditional velocity on the same input path (no separate learned null embedding), and
 * sampling gets it by encoding "" as well.
 */
public final class TextDropout {
    private TextDropout() {}

    /** The captions with each one replaced by "" where a draw from gen falls below p; one draw per caption, in order. */
    public static List<String> apply(List<String> captions, double p, Generator gen) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("TextDropout: p must be in [0, 1], got " + p);
        if (captions.isEmpty()) return List.of();
        float[] u = Tensor.rand(gen, DType.F32, Device.CPU, captions.size()).toFloatArray();
        List<String> out = new ArrayList<>(captions.size());
        for (int i = 0; i < captions.size(); i++) out.add(u[i] < p ? "" : captions.get(i));
        return out;
    }
}
