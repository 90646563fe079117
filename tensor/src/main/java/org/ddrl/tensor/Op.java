package org.ddrl.tensor;

/**
 * The op catalog: every primitive op, declared once. Backends provide a kernel per op (view ops are
 * metadata only and shared by every backend); the autodiff module keeps one derivative rule per
 * differentiable op; the reference backend evaluates every op in F64 as the test oracle.
 *
 * <p>Inputs are positional; optional inputs (a bias, a mask) are passed as null. Attributes (dims,
 * eps, ...) travel in {@link Attrs} under the names listed here.
 *
 * <p>Everything else in the Tensor API is a composition of these: transpose and movedim (PERMUTE),
 * narrow (SLICE), flatten and reshape (VIEW, or CONTIGUOUS then VIEW), broadcastTo (EXPAND), stack
 * (UNSQUEEZE + CAT), split and chunk (SLICE), std (VAR + SQRT), linear (MATMUL + ADD), conv1d and conv2d
 * (CONV3D on unsqueezed inputs).
 */
public enum Op {
    // ---- creation: no tensor inputs
    /** attrs: shape, dtype, value */
    FULL(Kind.CREATION, 0, 0, false),
    /** attrs: start, step, n, dtype */
    ARANGE(Kind.CREATION, 0, 0, false),
    /** attrs: start, end, n, dtype */
    LINSPACE(Kind.CREATION, 0, 0, false),
    /** attrs: n, m, dtype */
    EYE(Kind.CREATION, 0, 0, false),
    /** attrs: shape, dtype, low, high, seed, offset. Uniform in [low, high) from Philox. */
    RAND_UNIFORM(Kind.CREATION, 0, 0, false),
    /** attrs: shape, dtype, mean, std, seed, offset. Normal from Philox by Box-Muller. */
    RAND_NORMAL(Kind.CREATION, 0, 0, false),
    /** attrs: shape, dtype, low, high, seed, offset. Integers in [low, high) from Philox. */
    RAND_INT(Kind.CREATION, 0, 0, false),

    // ---- views: share storage, no kernel
    /** attrs: shape. Fails when the strides cannot express the new shape. */
    VIEW(Kind.VIEW, 1, 1, true),
    /** attrs: dims */
    PERMUTE(Kind.VIEW, 1, 1, true),
    /** attrs: dim, start, end, step (step > 0) */
    SLICE(Kind.VIEW, 1, 1, true),
    /** attrs: dim, index */
    SELECT(Kind.VIEW, 1, 1, true),
    /** attrs: shape (broadcast target) */
    EXPAND(Kind.VIEW, 1, 1, true),
    /** attrs: dims (size-1 dims to drop) */
    SQUEEZE(Kind.VIEW, 1, 1, true),
    /** attrs: dim */
    UNSQUEEZE(Kind.VIEW, 1, 1, true),

    // ---- copies and data movement
    /** Dense row-major copy (also the kernel behind clone). */
    CONTIGUOUS(Kind.COPY, 1, 1, true),
    /** attrs: dtype */
    CAST(Kind.COPY, 1, 1, true),
    /** inputs: 1 or more. attrs: dim */
    CAT(Kind.COPY, 1, Integer.MAX_VALUE, true),
    /** attrs: pads (before/after per dim, last dim first as in torch.nn.functional.pad), mode (constant|reflect|replicate), value */
    PAD(Kind.COPY, 1, 1, true),
    /** inputs: input, index (I64 or I32). attrs: dim */
    GATHER(Kind.COPY, 2, 2, true),
    /** inputs: input, index (1-d I64 or I32). attrs: dim */
    INDEX_SELECT(Kind.COPY, 2, 2, true),
    /**
     * inputs: base, index (I64 or I32, same rank as src), src. attrs: dim. A copy of base with src added at
     * the indexed positions (out[index[i][j]][j] += src[i][j] for dim 0); duplicate indices accumulate.
     * The backward of gather and index_select.
     */
    SCATTER_ADD(Kind.COPY, 3, 3, true),
    /** inputs: condition (BOOL), a, b */
    WHERE(Kind.COPY, 3, 3, true),
    /** inputs: input, mask (BOOL). attrs: value */
    MASKED_FILL(Kind.COPY, 2, 2, true),

    /**
     * In place: writes src (inputs[1], broadcast to dst's shape and converted to dst's dtype) into the view
     * dst (inputs[0]) and returns dst. Bumps dst's storage version. The only op that writes to its input.
     */
    ASSIGN(Kind.COPY, 2, 2, false),

    // ---- elementwise, one input
    NEG(Kind.UNARY, 1, 1, true),
    ABS(Kind.UNARY, 1, 1, true),
    SQRT(Kind.UNARY, 1, 1, true),
    RSQRT(Kind.UNARY, 1, 1, true),
    EXP(Kind.UNARY, 1, 1, true),
    LOG(Kind.UNARY, 1, 1, true),
    SIN(Kind.UNARY, 1, 1, true),
    COS(Kind.UNARY, 1, 1, true),
    TANH(Kind.UNARY, 1, 1, true),
    SIGMOID(Kind.UNARY, 1, 1, true),
    RELU(Kind.UNARY, 1, 1, true),
    /** attrs: approximate ("none": exact erf form, "tanh": tanh form) */
    GELU(Kind.UNARY, 1, 1, true),
    SILU(Kind.UNARY, 1, 1, true),
    /** attrs: beta, threshold (linear above threshold / beta, as PyTorch) */
    SOFTPLUS(Kind.UNARY, 1, 1, true),
    /** attrs: min, max (either may be NaN meaning unbounded) */
    CLAMP(Kind.UNARY, 1, 1, true),
    LOGICAL_NOT(Kind.UNARY, 1, 1, false),
    /** The error function; also what the exact GELU's derivative is built from. */
    ERF(Kind.UNARY, 1, 1, true),

    // ---- elementwise, two inputs with NumPy broadcasting
    ADD(Kind.BINARY, 2, 2, true),
    SUB(Kind.BINARY, 2, 2, true),
    MUL(Kind.BINARY, 2, 2, true),
    /** True division: integer inputs give a floating result. */
    DIV(Kind.BINARY, 2, 2, true),
    POW(Kind.BINARY, 2, 2, true),
    MAXIMUM(Kind.BINARY, 2, 2, true),
    MINIMUM(Kind.BINARY, 2, 2, true),
    EQ(Kind.BINARY, 2, 2, false),
    NE(Kind.BINARY, 2, 2, false),
    LT(Kind.BINARY, 2, 2, false),
    LE(Kind.BINARY, 2, 2, false),
    GT(Kind.BINARY, 2, 2, false),
    GE(Kind.BINARY, 2, 2, false),
    LOGICAL_AND(Kind.BINARY, 2, 2, false),
    LOGICAL_OR(Kind.BINARY, 2, 2, false),

    // ---- reductions. attrs: dims (empty = all), keepdim
    SUM(Kind.REDUCTION, 1, 1, true),
    MEAN(Kind.REDUCTION, 1, 1, true),
    /** attrs also: correction (0 = population, 1 = sample) */
    VAR(Kind.REDUCTION, 1, 1, true),
    MAX(Kind.REDUCTION, 1, 1, true),
    MIN(Kind.REDUCTION, 1, 1, true),
    /** attrs: dim, keepdim. Result I64; the first index wins ties. */
    ARGMAX(Kind.REDUCTION, 1, 1, false),
    ARGMIN(Kind.REDUCTION, 1, 1, false),
    LOGSUMEXP(Kind.REDUCTION, 1, 1, true),

    // ---- row-wise along one dim. attrs: dim
    SOFTMAX(Kind.ROWWISE, 1, 1, true),
    LOG_SOFTMAX(Kind.ROWWISE, 1, 1, true),

    // ---- contractions and layers
    /** [..., m, k] x [..., k, n] with broadcast batch dims; 1-d operands as in NumPy. */
    MATMUL(Kind.CONTRACTION, 2, 2, true),
    /** inputs: x, weight?, bias?. attrs: ndim (trailing dims normalized), eps */
    LAYER_NORM(Kind.NORM, 1, 3, true),
    /** inputs: x [N, C, *], weight [C]?, bias [C]?. attrs: groups, eps */
    GROUP_NORM(Kind.NORM, 1, 3, true),
    /** inputs: x, weight?. attrs: ndim, eps */
    RMS_NORM(Kind.NORM, 1, 2, true),
    /** inputs: x [N, C, D, H, W], weight [O, C/groups, kD, kH, kW], bias [O]?. attrs: stride, padding, dilation (3 each), groups */
    CONV3D(Kind.CONTRACTION, 2, 3, true),
    /**
     * Gradient of CONV3D with respect to its input. inputs: gradOutput [N, O, Do, Ho, Wo], weight.
     * attrs: stride, padding, dilation, groups as the forward, inputShape (the forward input's shape).
     */
    CONV3D_BACKWARD_INPUT(Kind.CONTRACTION, 2, 2, false),
    /**
     * Gradient of CONV3D with respect to its weight. inputs: x, gradOutput. attrs: stride, padding,
     * dilation, groups as the forward, weightShape.
     */
    CONV3D_BACKWARD_WEIGHT(Kind.CONTRACTION, 2, 2, false),
    /**
     * Scaled dot-product attention. inputs: q [..., Tq, E], k [..., Tk, E], v [..., Tk, Ev], mask?
     * (BOOL, true = attend, or additive float; broadcast to [..., Tq, Tk]). attrs: causal, scale.
     */
    SDPA(Kind.CONTRACTION, 3, 4, true),
    /**
     * Gradients of SDPA, fused: the attention weights are recomputed block by block from q and k, never
     * stored whole. inputs: q, k, v, gradOut (the gradient of SDPA's result), mask? (as SDPA). attrs: causal,
     * scale, as the forward. With P the weights and dP = gradOut v^T: D = rowsum(P * dP) (which equals
     * rowsum(gradOut * out), but taken from the same P it cancels exactly where a row sees one key),
     * dS = P * (dP - D), dq = scale dS k, dk = scale dS^T q, dv = P^T gradOut. A query row whose keys are
     * all masked contributes nothing (its dq is 0, not NaN).
     *
     * <p>One result holding three: a 1-d tensor of q's dtype with dq [batch..., Tq, E], dk [batch..., Tk, E]
     * and dv [batch..., Tk, Ev] dense and back to back, batch being the broadcast batch dims of q, k and v
     * (an input broadcast over batch entries gets one gradient per entry; the caller sums them).
     * {@link AttentionGrads} splits it into views.
     */
    SDPA_BACKWARD(Kind.CONTRACTION, 4, 5, false),

    // ---- fused gradients of activations and norms: one pass over memory instead of a chain of
    // elementwise ops (the derivative rules of GELU, SILU and the norms call them)
    /**
     * gradOut * GELU'(x). inputs: gradOut, x (the same shape; floating). attrs: approximate as the forward.
     * The result has x's dtype.
     */
    GELU_BACKWARD(Kind.BINARY, 2, 2, false),
    /** gradOut * SiLU'(x) = gradOut * s (1 + x (1 - s)), s = sigmoid(x). inputs: gradOut, x (the same shape). */
    SILU_BACKWARD(Kind.BINARY, 2, 2, false),
    /**
     * Gradients of LAYER_NORM, the statistics recomputed per row. inputs: gradOut, x, weight? (the forward's).
     * attrs: ndim, eps as the forward; outputMask, three 0/1 ints: which of grad input [x.shape], grad weight
     * and grad bias [normalized shape] to compute. One 1-d result of x's dtype holding the requested ones
     * dense and back to back, in that order; {@link NormGrads} splits it into views. Weight and bias
     * gradients are summed over rows in an order fixed by the shape alone.
     */
    LAYER_NORM_BACKWARD(Kind.NORM, 2, 3, false),
    /**
     * Gradients of RMS_NORM. inputs: gradOut, x, weight?. attrs: ndim, eps; outputMask, two 0/1 ints (grad
     * input, grad weight). Packed as {@link #LAYER_NORM_BACKWARD}.
     */
    RMS_NORM_BACKWARD(Kind.NORM, 2, 3, false),
    /**
     * Gradients of GROUP_NORM. inputs: gradOut, x [N, C, *], weight [C]?. attrs: groups, eps; outputMask, three
     * 0/1 ints (grad input [x.shape], grad weight [C], grad bias [C]). Packed as {@link #LAYER_NORM_BACKWARD}.
     */
    GROUP_NORM_BACKWARD(Kind.NORM, 2, 3, false),

    // ---- fused forward chains of transformer blocks: one pass over memory where the composite makes
    // several, and one fused op for each gradient. Per-sample parameters ([B, C], or [B, 1, ..., 1, C] of
    // x's rank) broadcast over the middle dims of x [B, *, C]; see PerSampleShape.
    /**
     * adaLN modulation of a layer norm without affine parameters over the last dim (DiT's norm1 and norm3):
     * (x - mean) rstd (1 + scale) + shift. inputs: x [B, *, C], shift, scale (per-sample). attrs: eps.
     * The result has x's dtype.
     */
    LAYER_NORM_MODULATE(Kind.NORM, 3, 3, true),
    /**
     * Gradients of LAYER_NORM_MODULATE, the row statistics recomputed. inputs: gradOut, x, scale (the
     * forward's). attrs: eps; outputMask, three 0/1 ints: grad x [x.shape], grad shift [B, C], grad scale
     * [B, C]. One 1-d result of x's dtype holding the requested ones back to back ({@link FusedGrads} splits
     * it); the per-sample gradients are sums over the middle dims in an order fixed by the shape alone.
     */
    LAYER_NORM_MODULATE_BACKWARD(Kind.NORM, 3, 3, false),
    /** The gated residual x + gate * y. inputs: x, y [B, *, C] (the same shape), gate (per-sample). */
    GATED_RESIDUAL(Kind.NORM, 3, 3, true),
    /**
     * Gradients of GATED_RESIDUAL with respect to y and gate (that of x is gradOut itself). inputs: gradOut,
     * y, gate. attrs: outputMask, two 0/1 ints: grad y = gradOut gate [y.shape], grad gate = sum over the
     * middle dims of gradOut y [B, C]. Packed as {@link #LAYER_NORM_MODULATE_BACKWARD}.
     */
    GATED_RESIDUAL_BACKWARD(Kind.NORM, 3, 3, false),
    /**
     * gelu(x + bias) with bias [C] over x [*, C]: a linear layer's bias and activation in one pass over its
     * GEMM output. attrs: approximate ("none" or "tanh", as GELU). The result has x's dtype.
     */
    BIAS_GELU(Kind.BINARY, 2, 2, true),
    /**
     * Gradients of BIAS_GELU. inputs: gradOut, x, bias (the forward's). attrs: approximate; outputMask, two
     * 0/1 ints: grad x = gradOut gelu'(x + bias) [x.shape], grad bias = its sum over rows [C] (in an order
     * fixed by the shape alone). Packed as {@link #LAYER_NORM_MODULATE_BACKWARD}.
     */
    BIAS_GELU_BACKWARD(Kind.NORM, 3, 3, false);

    public enum Kind { CREATION, VIEW, COPY, UNARY, BINARY, REDUCTION, ROWWISE, CONTRACTION, NORM }

    private final Kind kind;
    private final int minInputs;
    private final int maxInputs;
    private final boolean differentiable;

    Op(Kind kind, int minInputs, int maxInputs, boolean differentiable) {
        this.kind = kind;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.differentiable = differentiable;
    }

    public Kind kind() {
        return kind;
    }

    public int minInputs() {
        return minInputs;
    }

    public int maxInputs() {
        return maxInputs;
    }

    /** Whether gradients flow through this op (to its floating-point inputs). */
    public boolean differentiable() {
        return differentiable;
    }

    /** The PyTorch-style lower-case name used in messages, e.g. "log_softmax". */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
