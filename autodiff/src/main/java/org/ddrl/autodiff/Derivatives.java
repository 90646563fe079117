package org.ddrl.autodiff;

import static org.ddrl.autodiff.GradUtil.unreduce;

import java.util.EnumMap;
import java.util.Map;
import org.ddrl.tensor.ActivationGrads;
import org.ddrl.tensor.AttentionGrads;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.NormGrads;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The derivative table: for each differentiable op of the catalog, how the gradient of its output g
 * becomes the gradients of its inputs. Rules run with grad mode off and may return broadcast-shaped
 * gradients (the engine sums them back to each input's shape) or null for inputs that take none.
 */
final class Derivatives {
    /** What a rule sees: the op's attributes, its saved inputs and output. */
    static final class Ctx {
        final Op op;
        final Attrs attrs;
        private Node node;

        Ctx(Op op, Attrs attrs) {
            this.op = op;
            this.attrs = attrs;
        }

        Ctx bind(Node n) {
            Ctx c = new Ctx(op, attrs);
            c.node = n;
            return c;
        }

        Tensor in(int i) {
            return node.inputs()[i];
        }

        Tensor out() {
            return node.output();
        }

        boolean needs(int i) {
            return node.needsGrad[i];
        }
    }

    @FunctionalInterface
    interface Rule {
        Tensor[] grads(Ctx c, Tensor g);
    }

    private static final Map<Op, Rule> RULES = new EnumMap<>(Op.class);

    private Derivatives() {}

    static Rule rule(Op op) {
        return RULES.get(op);
    }

    static boolean has(Op op) {
        return RULES.containsKey(op);
    }

    private static void def(Op op, Rule r) {
        RULES.put(op, r);
    }

    private static Tensor[] of(Tensor... g) {
        return g;
    }

    private static Tensor zerosLike(Tensor x, Tensor g) {
        return Tensor.zeros(g.dtype(), g.device(), x.shape());
    }

    private static Tensor asFloat(Tensor mask, Tensor like) {
        return mask.to(like.dtype());
    }

    static {
        // ---- views and copies
        def(Op.VIEW, (c, g) -> of(g.reshape(c.in(0).shape())));
        def(Op.PERMUTE, (c, g) -> {
            int[] p = c.attrs.ints("dims");
            int[] inv = new int[p.length];
            for (int i = 0; i < p.length; i++) inv[Shapes.dim("permute", p[i], p.length)] = i;
            return of(g.permute(inv));
        });
        def(Op.SLICE, (c, g) -> {
            Tensor gx = zerosLike(c.in(0), g);
            gx.slice(c.attrs.i("dim"), c.attrs.l("start"), c.attrs.l("end"), c.attrs.l("step")).copyFrom(g);
            return of(gx);
        });
        def(Op.SELECT, (c, g) -> {
            Tensor gx = zerosLike(c.in(0), g);
            gx.select(c.attrs.i("dim"), c.attrs.l("index")).copyFrom(g);
            return of(gx);
        });
        def(Op.EXPAND, (c, g) -> of(g)); // the engine sums the broadcast dims back
        def(Op.SQUEEZE, (c, g) -> of(g.reshape(c.in(0).shape())));
        def(Op.UNSQUEEZE, (c, g) -> of(g.reshape(c.in(0).shape())));
        def(Op.CONTIGUOUS, (c, g) -> of(g));
        def(Op.CAST, (c, g) -> of(g)); // the engine converts to the input's dtype
        def(Op.CAT, (c, g) -> {
            int n = c.node.inputs().length;
            int dim = Shapes.dim("cat", c.attrs.i("dim"), g.dim());
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) sizes[i] = c.in(i).size(dim);
            return g.split(sizes, dim);
        });
        def(Op.PAD, Derivatives::padBackward);
        def(Op.GATHER, (c, g) -> of(zerosLike(c.in(0), g).scatterAdd(c.attrs.i("dim"), c.in(1), g), null));
        def(Op.INDEX_SELECT, (c, g) -> {
            int dim = Shapes.dim("index_select", c.attrs.i("dim"), g.dim());
            int[] s = new int[g.dim()];
            java.util.Arrays.fill(s, 1);
            s[dim] = (int) c.in(1).numel();
            Tensor index = c.in(1).reshape(s).expand(g.shape());
            return of(zerosLike(c.in(0), g).scatterAdd(dim, index, g), null);
        });
        def(Op.SCATTER_ADD, (c, g) -> {
            Tensor index = c.in(1), src = c.in(2);
            Tensor gsrc = null;
            if (c.needs(2)) {
                Tensor picked = g.gather(c.attrs.i("dim"), index);
                if (java.util.Arrays.equals(index.shape(), src.shape())) {
                    gsrc = picked;
                } else {
                    gsrc = zerosLike(src, g);
                    Tensor region = gsrc;
                    for (int d = 0; d < index.dim(); d++) region = region.slice(d, 0, index.size(d));
                    region.copyFrom(picked);
                }
            }
            return of(g, null, gsrc);
        });
        def(Op.WHERE, (c, g) -> {
            Tensor zero = Tensor.scalar(0, g.dtype(), g.device());
            Tensor cond = c.in(0);
            return of(null, c.needs(1) ? Tensor.where(cond, g, zero) : null, c.needs(2) ? Tensor.where(cond, zero, g) : null);
        });
        def(Op.MASKED_FILL, (c, g) -> of(g.maskedFill(c.in(1), 0), null));

        // ---- elementwise, one input
        def(Op.NEG, (c, g) -> of(g.neg()));
        def(Op.ABS, (c, g) -> {
            Tensor x = c.in(0);
            return of(g.mul(asFloat(x.gt(0), g).sub(asFloat(x.lt(0), g))));
        });
        def(Op.SQRT, (c, g) -> of(g.div(c.out().mul(2))));
        def(Op.RSQRT, (c, g) -> of(g.mul(c.out().pow(3)).mul(-0.5)));
        def(Op.EXP, (c, g) -> of(g.mul(c.out())));
        def(Op.LOG, (c, g) -> of(g.div(c.in(0))));
        def(Op.SIN, (c, g) -> of(g.mul(c.in(0).cos())));
        def(Op.COS, (c, g) -> of(g.mul(c.in(0).sin()).neg()));
        def(Op.TANH, (c, g) -> of(g.mul(c.out().mul(c.out()).rsub(1))));
        def(Op.SIGMOID, (c, g) -> of(g.mul(c.out().mul(c.out().rsub(1)))));
        def(Op.RELU, (c, g) -> of(g.mul(asFloat(c.in(0).gt(0), g))));
        def(Op.ERF, (c, g) -> {
            Tensor x = c.in(0);
            return of(g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))));
        });
        // the fused kernels make one pass over g and x instead of a chain of elementwise ops
        def(Op.GELU, (c, g) -> of(ActivationGrads.gelu(g, c.in(0), c.attrs.s("approximate"))));
        def(Op.SILU, (c, g) -> of(ActivationGrads.silu(g, c.in(0))));
        def(Op.SOFTPLUS, (c, g) -> {
            double beta = c.attrs.d("beta"), threshold = c.attrs.d("threshold");
            Tensor bx = c.in(0).mul(beta);
            return of(Tensor.where(bx.gt(threshold), g, g.mul(bx.sigmoid())));
        });
        def(Op.CLAMP, (c, g) -> {
            Tensor x = c.in(0);
            double lo = c.attrs.d("min"), hi = c.attrs.d("max");
            Tensor keep = Tensor.ones(DType.BOOL, x.device(), x.shape());
            if (!Double.isNaN(lo)) keep = keep.logicalAnd(x.ge(lo));
            if (!Double.isNaN(hi)) keep = keep.logicalAnd(x.le(hi));
            return of(g.mul(asFloat(keep, g)));
        });

        // ---- elementwise, two inputs (the engine sums broadcast dims back)
        def(Op.ADD, (c, g) -> of(g, g));
        def(Op.SUB, (c, g) -> of(g, c.needs(1) ? g.neg() : null));
        def(Op.MUL, (c, g) -> of(c.needs(0) ? g.mul(c.in(1)) : null, c.needs(1) ? g.mul(c.in(0)) : null));
        def(Op.DIV, (c, g) -> {
            Tensor x = c.in(0), y = c.in(1);
            return of(c.needs(0) ? g.div(y) : null, c.needs(1) ? g.mul(c.out()).div(y).neg() : null);
        });
        def(Op.POW, (c, g) -> {
            Tensor x = c.in(0), y = c.in(1);
            Tensor gx = c.needs(0) ? g.mul(y).mul(x.pow(y.sub(1))) : null;
            // d/dy x^y = x^y ln x; taken as 0 where x <= 0 (no real logarithm), as PyTorch does at x = 0
            Tensor gy = c.needs(1)
                    ? Tensor.where(x.gt(0), g.mul(c.out()).mul(x.log()), Tensor.scalar(0, g.dtype(), g.device())) : null;
            return of(gx, gy);
        });
        def(Op.MAXIMUM, (c, g) -> minMax(c, g, true));
        def(Op.MINIMUM, (c, g) -> minMax(c, g, false));

        // ---- reductions
        def(Op.SUM, (c, g) -> of(unreduce(g, c.in(0).shape(), c.attrs.ints("dims"), c.attrs.b("keepdim")).expand(c.in(0).shape())));
        def(Op.MEAN, (c, g) -> {
            Tensor x = c.in(0);
            long n = GradUtil.reducedCount(x.shape(), c.attrs.ints("dims"));
            return of(unreduce(g, x.shape(), c.attrs.ints("dims"), c.attrs.b("keepdim")).div(n).expand(x.shape()));
        });
        def(Op.VAR, (c, g) -> {
            Tensor x = c.in(0);
            int[] dims = c.attrs.ints("dims");
            long n = GradUtil.reducedCount(x.shape(), dims);
            double denom = Math.max(0, n - c.attrs.i("correction"));
            Tensor centered = x.sub(x.mean(GradUtil.normalize(dims, x.dim()), true));
            return of(unreduce(g, x.shape(), dims, c.attrs.b("keepdim")).mul(centered).mul(2 / denom));
        });
        def(Op.MAX, Derivatives::extremum);
        def(Op.MIN, Derivatives::extremum);
        def(Op.LOGSUMEXP, (c, g) -> {
            Tensor x = c.in(0);
            int[] dims = c.attrs.ints("dims");
            boolean keep = c.attrs.b("keepdim");
            return of(unreduce(g, x.shape(), dims, keep).mul(x.sub(unreduce(c.out(), x.shape(), dims, keep)).exp()));
        });
        def(Op.SOFTMAX, (c, g) -> {
            Tensor y = c.out();
            return of(y.mul(g.sub(g.mul(y).sum(c.attrs.i("dim"), true))));
        });
        def(Op.LOG_SOFTMAX, (c, g) -> of(g.sub(c.out().exp().mul(g.sum(c.attrs.i("dim"), true)))));

        // ---- contractions and layers
        def(Op.MATMUL, Derivatives::matmulBackward);
        def(Op.LAYER_NORM, Derivatives::layerNormBackward);
        def(Op.GROUP_NORM, Derivatives::groupNormBackward);
        def(Op.RMS_NORM, Derivatives::rmsNormBackward);
        def(Op.CONV3D, Derivatives::conv3dBackward);
        def(Op.SDPA, Derivatives::attentionBackward);
        FusedForwardRules.define(Derivatives::def);
    }

    /** maximum/minimum: the gradient goes to the winner, split evenly on ties. */
    private static Tensor[] minMax(Ctx c, Tensor g, boolean max) {
        Tensor x = c.in(0), y = c.in(1);
        Tensor wins = asFloat(max ? x.gt(y) : x.lt(y), g).add(asFloat(x.eq(y), g).mul(0.5));
        return of(c.needs(0) ? g.mul(wins) : null, c.needs(1) ? g.mul(wins.rsub(1)) : null);
    }

    /** max/min over dims: the gradient is shared evenly by the elements equal to the extremum. */
    private static Tensor[] extremum(Ctx c, Tensor g) {
        Tensor x = c.in(0);
        int[] dims = c.attrs.ints("dims");
        boolean keep = c.attrs.b("keepdim");
        Tensor hit = asFloat(x.eq(unreduce(c.out(), x.shape(), dims, keep)), g);
        Tensor count = hit.sum(GradUtil.normalize(dims, x.dim()), true);
        return of(unreduce(g, x.shape(), dims, keep).mul(hit).div(count));
    }

    private static Tensor[] padBackward(Ctx c, Tensor g) {
        int[] pads = c.attrs.ints("pads");
        String mode = c.attrs.s("mode");
        if (mode.equals("constant")) {
            int[] neg = new int[pads.length];
            for (int i = 0; i < pads.length; i++) neg[i] = -pads[i];
            return of(g.pad(neg, "constant", 0));
        }
        // reflect / replicate: each output position reads one input position per dim; send gradients back
        // dim by dim with scatter_add over that dim's index map
        Tensor x = c.in(0);
        Tensor cur = g;
        int r = x.dim();
        for (int p = 0; p < pads.length / 2; p++) {
            int d = r - 1 - p;
            int before = pads[2 * p], n = x.size(d), outSize = cur.size(d);
            long[] map = new long[outSize];
            for (int o = 0; o < outSize; o++) {
                int i = o - before;
                if (mode.equals("reflect")) {
                    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
                } else {
                    i = Math.clamp(i, 0, n - 1);
                }
                map[o] = i;
            }
            int[] s = new int[r];
            java.util.Arrays.fill(s, 1);
            s[d] = outSize;
            Tensor index = Tensor.of(map).to(cur.device()).reshape(s).expand(cur.shape());
            int[] target = cur.shape();
            target[d] = n;
            cur = Tensor.zeros(g.dtype(), g.device(), target).scatterAdd(d, index, cur);
        }
        return of(cur);
    }

    private static Tensor[] matmulBackward(Ctx c, Tensor g) {
        Tensor a = c.in(0), b = c.in(1);
        Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
        Tensor g2 = g;
        if (a.dim() == 1 && b.dim() == 1) g2 = g.reshape(1, 1);
        else if (a.dim() == 1) g2 = g.unsqueeze(-2);
        else if (b.dim() == 1) g2 = g.unsqueeze(-1);
        Tensor ga = c.needs(0) ? GradUtil.sumToShape(g2.matmul(b2.transpose(-2, -1)), a2.shape()).reshape(a.shape()) : null;
        Tensor gb = null;
        if (c.needs(1)) {
            if (b2.dim() == 2 && a2.dim() > 2) {
                // A weight shared by every batch entry (x W^T in Linear): fold the batch into the rows and take one
                // [k, B*m] x [B*m, n] product, instead of B products of [k, n] and a sum over B.
                int k = a2.size(-1), n = g2.size(-1);
                gb = a2.reshape(-1, k).transpose(0, 1).matmul(g2.reshape(-1, n)).reshape(b.shape());
            } else {
                gb = GradUtil.sumToShape(a2.transpose(-2, -1).matmul(g2), b2.shape()).reshape(b.shape());
            }
        }
        return of(ga, gb);
    }

    private static Tensor optionalIn(Ctx c, int i) {
        return c.node.inputs().length > i ? c.in(i) : null;
    }

    /*
     * The norms' gradients come from one fused op each, which recomputes the row statistics and makes about
     * one pass over g and x (see NormGrads); only the gradients some input needs are computed.
     */

    private static Tensor[] layerNormBackward(Ctx c, Tensor g) {
        Tensor x = c.in(0), w = optionalIn(c, 1), b = optionalIn(c, 2);
        NormGrads d = NormGrads.layerNorm(g, x, w, c.attrs.i("ndim"), c.attrs.d("eps"), c.needs(0), w != null && c.needs(1),
                b != null && c.needs(2));
        return of(d.input(), d.weight(), d.bias());
    }

    private static Tensor[] groupNormBackward(Ctx c, Tensor g) {
        Tensor x = c.in(0), w = optionalIn(c, 1), b = optionalIn(c, 2);
        NormGrads d = NormGrads.groupNorm(g, x, w, c.attrs.i("groups"), c.attrs.d("eps"), c.needs(0), w != null && c.needs(1),
                b != null && c.needs(2));
        return of(d.input(), d.weight(), d.bias());
    }

    private static Tensor[] rmsNormBackward(Ctx c, Tensor g) {
        Tensor x = c.in(0), w = optionalIn(c, 1);
        NormGrads d = NormGrads.rmsNorm(g, x, w, c.attrs.i("ndim"), c.attrs.d("eps"), c.needs(0), w != null && c.needs(1));
        return of(d.input(), d.weight());
    }

    private static Tensor[] conv3dBackward(Ctx c, Tensor g) {
        Tensor x = c.in(0), w = c.in(1);
        Attrs a = c.attrs;
        Tensor gx = c.needs(0) ? Dispatch.call(Op.CONV3D_BACKWARD_INPUT, a.with("inputShape", x.shape()), g, w) : null;
        Tensor gw = c.needs(1) ? Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, a.with("weightShape", w.shape()), x, g) : null;
        Tensor gb = c.node.inputs().length > 2 && c.needs(2) ? g.sum(new int[] {0, 2, 3, 4}, false) : null;
        return of(gx, gw, gb);
    }

    /**
     * Attention backward through the fused SDPA_BACKWARD op, which recomputes the weights block by block.
     * Only a floating mask that itself needs a gradient (dS, a [batch..., Tq, Tk] tensor by nature) takes
     * the composite path below, which materializes the score matrix.
     */
    private static Tensor[] attentionBackward(Ctx c, Tensor g) {
        Tensor q = c.in(0), k = c.in(1), v = c.in(2), mask = c.node.inputs().length > 3 ? c.in(3) : null;
        if (mask == null || mask.dtype() == DType.BOOL || !c.needs(3)) {
            AttentionGrads d = AttentionGrads.compute(q, k, v, g, mask, c.attrs.b("causal"), c.attrs.d("scale"));
            Tensor gq = c.needs(0) ? d.dq() : null, gk = c.needs(1) ? d.dk() : null, gv = c.needs(2) ? d.dv() : null;
            return mask == null ? of(gq, gk, gv) : of(gq, gk, gv, null);
        }
        return attentionBackwardComposite(c, g, q, k, v, mask);
    }

    /** The composite rule, for a floating mask that needs its gradient: P = softmax(S), dS = P * (dP - rowsum(dP * P)). */
    private static Tensor[] attentionBackwardComposite(Ctx c, Tensor g, Tensor q, Tensor k, Tensor v, Tensor mask) {
        double scale = c.attrs.d("scale");
        if (Double.isNaN(scale)) scale = 1 / Math.sqrt(q.size(-1));
        Tensor s = q.matmul(k.transpose(-2, -1)).mul(scale);
        if (mask != null) s = mask.dtype() == DType.BOOL ? s.maskedFill(mask.logicalNot(), Double.NEGATIVE_INFINITY) : s.add(mask);
        if (c.attrs.b("causal")) {
            int tq = q.size(-2), tk = k.size(-2);
            Tensor rows = Tensor.arange(0, tq, 1, DType.I64, q.device()).unsqueeze(1);
            Tensor cols = Tensor.arange(0, tk, 1, DType.I64, q.device()).unsqueeze(0);
            s = s.maskedFill(cols.gt(rows), Double.NEGATIVE_INFINITY);
        }
        Tensor p = s.softmax(-1);
        Tensor gp = g.matmul(v.transpose(-2, -1));
        Tensor gs = p.mul(gp.sub(gp.mul(p).sum(-1, true)));
        Tensor gq = c.needs(0) ? gs.matmul(k).mul(scale) : null;
        Tensor gk = c.needs(1) ? gs.transpose(-2, -1).matmul(q).mul(scale) : null;
        Tensor gv = c.needs(2) ? p.transpose(-2, -1).matmul(g) : null;
        Tensor gm = mask != null && c.needs(3) && mask.dtype() != DType.BOOL ? gs : null;
        return mask == null ? of(gq, gk, gv) : of(gq, gk, gv, gm);
    }
}
