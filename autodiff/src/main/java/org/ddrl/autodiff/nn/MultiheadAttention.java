package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Multi-head attention, self or cross (torch.nn.MultiheadAttention with batch_first): separate q_proj,
 * k_proj, v_proj and out_proj Linear layers (default Linear initialization), heads split by reshape and
 * transpose, the attention itself by {@link Functional#scaledDotProductAttention}.
 *
 * <p>Shapes: query [N, Tq, embed_dim], key [N, Tk, kdim], value [N, Tk, vdim]; output [N, Tq, embed_dim].
 * Inside, q [N, heads, Tq, head_dim] with head_dim = embed_dim / heads, k and v [N, heads, Tk, head_dim].
 *
 * <p>Masks, all optional and combined:
 * <ul>
 *   <li>attnMask: BOOL with true = may attend (the convention of scaled_dot_product_attention, the reverse
 *       of torch.nn.MultiheadAttention's bool attn_mask), or a float mask added to the scores. Shape [Tq, Tk],
 *       [N, Tq, Tk] or [N or 1, heads or 1, Tq, Tk].</li>
 *   <li>keyPaddingMask [N, Tk]: BOOL with true = padding, a key no query may attend to (as PyTorch), or a
 *       float mask added to every query's scores for that key.</li>
 *   <li>causal: query i attends to keys 0 .. i only (aligned to the top-left when Tq != Tk).</li>
 * </ul>
 * A query left with no key to attend to gets NaN, as in PyTorch. No dropout on the attention weights.
 */
public final class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    /** Self-attention sized: kdim = vdim = embedDim, with biases. */
    public MultiheadAttention(int embedDim, int numHeads, Generator gen) {
        this(embedDim, numHeads, embedDim, embedDim, true, gen);
    }

    /** kdim, vdim: feature sizes of key and value (a cross-attention context may differ from embedDim). */
    public MultiheadAttention(int embedDim, int numHeads, int kdim, int vdim, boolean bias, Generator gen) {
        if (numHeads <= 0 || embedDim <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " must be a positive multiple of num_heads "
                    + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        qProj = registerModule("q_proj", new Linear(embedDim, embedDim, bias, gen));
        kProj = registerModule("k_proj", new Linear(kdim, embedDim, bias, gen));
        vProj = registerModule("v_proj", new Linear(vdim, embedDim, bias, gen));
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, gen));
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    /** Self-attention of x [N, T, embed_dim], no mask. */
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, null);
    }

    /** Cross-attention of query [N, Tq, embed_dim] to context [N, Tk, kdim] (key = value = context, kdim = vdim). */
    public Tensor forward(Tensor query, Tensor context) {
        return forward(query, context, context, null, null, false, null);
    }

    /** (x), (query, context) or (query, key, value), without masks. */
    @Override
    public Tensor forward(Tensor... inputs) {
        return switch (inputs.length) {
            case 1 -> forward(inputs[0]);
            case 2 -> forward(inputs[0], inputs[1]);
            case 3 -> forward(inputs[0], inputs[1], inputs[2], null, null, false, null);
            default -> throw new IllegalArgumentException(describe() + ": forward takes (x), (query, context) or (query, key, value), got "
                    + inputs.length + " inputs");
        };
    }

    /**
     * The full form; see the class comment for shapes and masks. rope (may be null) rotates q and k after
     * the heads are split, with the same tables for both, so it needs Tq = Tk = the tables' length (self-attention).
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask, boolean causal,
                          RopeInput rope) {
        checkInputs(query, key, value);
        int n = query.size(0), tq = query.size(1), tk = key.size(1);
        Tensor q = heads(qProj.forward(query), n, tq);
        Tensor k = heads(kProj.forward(key), n, tk);
        Tensor v = heads(vProj.forward(value), n, tk);
        if (rope != null) {
            if (rope.rope().headDim() != headDim()) {
                throw new IllegalArgumentException(describe() + ": " + rope.rope() + " covers head dim " + rope.rope().headDim()
                        + ", the heads have " + headDim());
            }
            q = rope.rope().apply(q, rope.tables());
            k = rope.rope().apply(k, rope.tables());
        }
        Tensor mask = combineMasks(attnMask, keyPaddingMask, n, tq, tk, query.dtype());
        Tensor o = Functional.scaledDotProductAttention(q, k, v, mask, causal, Double.NaN);
        return outProj.forward(o.transpose(1, 2).reshape(n, tq, embedDim));
    }

    /** A rotary embedding and the tables of the tokens it rotates, passed together to {@link #forward}. */
    public record RopeInput(Rope3d rope, Rope3d.Tables tables) {}

    /** [N, T, embed_dim] to [N, heads, T, head_dim], a view. */
    private Tensor heads(Tensor x, int n, int t) {
        return x.reshape(n, t, numHeads, headDim()).transpose(1, 2);
    }

    private void checkInputs(Tensor query, Tensor key, Tensor value) {
        boolean ok = query.dim() == 3 && key.dim() == 3 && value.dim() == 3 && query.size(2) == embedDim
                && key.size(2) == kProj.inFeatures() && value.size(2) == vProj.inFeatures()
                && key.size(0) == query.size(0) && value.size(0) == query.size(0) && value.size(1) == key.size(1);
        if (!ok) {
            throw new IllegalArgumentException(describe() + ": query " + Shapes.str(query.shape()) + ", key " + Shapes.str(key.shape())
                    + ", value " + Shapes.str(value.shape()) + " must be [N, Tq, " + embedDim + "], [N, Tk, " + kProj.inFeatures()
                    + "], [N, Tk, " + vProj.inFeatures() + "]");
        }
    }

    /** One mask for SDPA over [N, heads, Tq, Tk]: BOOL when both parts are, else additive in the query's dtype. */
    private Tensor combineMasks(Tensor attnMask, Tensor keyPaddingMask, int n, int tq, int tk, DType dtype) {
        Tensor attn = attnMask == null ? null : attnMask4d(attnMask, n, tq, tk);
        Tensor pad = null;
        if (keyPaddingMask != null) {
            if (!Arrays.equals(keyPaddingMask.shape(), new int[] {n, tk})) {
                throw new IllegalArgumentException(describe() + ": key padding mask " + Shapes.str(keyPaddingMask.shape()) + " must be ["
                        + n + ", " + tk + "]");
            }
            Tensor p = keyPaddingMask.reshape(n, 1, 1, tk);
            pad = p.dtype() == DType.BOOL ? p.logicalNot() : p;
        }
        if (attn == null || pad == null) return attn != null ? attn : pad;
        if (attn.dtype() == DType.BOOL && pad.dtype() == DType.BOOL) return attn.logicalAnd(pad);
        return additive(attn, dtype).add(additive(pad, dtype));
    }

    private Tensor attnMask4d(Tensor m, int n, int tq, int tk) {
        int[] s = m.shape();
        boolean ok = switch (s.length) {
            case 2 -> s[0] == tq && s[1] == tk;
            case 3 -> s[0] == n && s[1] == tq && s[2] == tk;
            case 4 -> (s[0] == n || s[0] == 1) && (s[1] == numHeads || s[1] == 1) && s[2] == tq && s[3] == tk;
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException(describe() + ": attention mask " + Shapes.str(s) + " must be [" + tq + ", " + tk + "], ["
                    + n + ", " + tq + ", " + tk + "] or [" + n + " or 1, " + numHeads + " or 1, " + tq + ", " + tk + "]");
        }
        return s.length == 3 ? m.unsqueeze(1) : m;
    }

    /** A BOOL attend-mask as 0 / -inf; a float mask as is. */
    private static Tensor additive(Tensor m, DType dtype) {
        if (m.dtype() != DType.BOOL) return m;
        return Tensor.zeros(dtype, m.device(), m.shape()).maskedFill(m.logicalNot(), Double.NEGATIVE_INFINITY);
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads;
    }
}
