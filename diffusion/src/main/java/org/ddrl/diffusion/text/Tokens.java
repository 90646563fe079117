package org.ddrl.diffusion.text;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * A batch of encoded captions: ids [B, L] (I64) and mask [B, L] (BOOL, true = a real token, false =
 * padding; the convention of an attention mask, the reverse of a key padding mask).
 */
public record Tokens(Tensor ids, Tensor mask) {
    public Tokens {
        if (ids.dim() != 2 || ids.dtype() != DType.I64 || mask.dtype() != DType.BOOL || !Arrays.equals(ids.shape(), mask.shape())) {
            throw new IllegalArgumentException("Tokens: ids " + ids.dtype() + Shapes.str(ids.shape()) + " and mask " + mask.dtype()
                    + Shapes.str(mask.shape()) + " must be I64 [B, L] and BOOL [B, L]");
        }
    }

    public int batch() {
        return ids.size(0);
    }

    public int length() {
        return ids.size(1);
    }
}
