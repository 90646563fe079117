package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A lookup table (torch.nn.Embedding): indices of any shape [*] (I64 or I32) to rows of weight
 * [num_embeddings, embedding_dim], giving [*, embedding_dim]. Picks rows with index_select, whose
 * gradient scatter-adds back into the rows that were used (repeated indices accumulate). weight starts
 * N(0, 1), as PyTorch.
 */
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;

    public Embedding(int numEmbeddings, int embeddingDim, Generator gen) {
        if (numEmbeddings <= 0 || embeddingDim < 0) {
            throw new IllegalArgumentException("Embedding: need num_embeddings > 0 and embedding_dim >= 0, got " + numEmbeddings
                    + " and " + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Init.normal(registerParameter("weight", Tensor.zeros(DType.F32, numEmbeddings, embeddingDim)), 0, 1, gen);
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor forward(Tensor indices) {
        if (!indices.dtype().isIntegral()) {
            throw new IllegalArgumentException(describe() + ": indices must be I64 or I32, got " + indices.dtype()
                    + Shapes.str(indices.shape()));
        }
        int[] s = indices.shape();
        int[] out = Arrays.copyOf(s, s.length + 1);
        out[s.length] = embeddingDim;
        try {
            return weight().indexSelect(0, indices.reshape(-1)).reshape(out);
        } catch (IndexOutOfBoundsException e) {
            var named = new IndexOutOfBoundsException(describe() + ": an index of " + indices.dtype() + Shapes.str(s)
                    + " is outside [0, " + numEmbeddings + "): " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
