package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.ActivationGrads;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.NormGrads;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The derivative rules of GELU, SiLU and the norms go through the fused gradient ops: the engine's
 * gradients are bit for bit those of a direct call of the fused op, and they equal, within float rounding,
 * the composite chains of elementwise ops the rules used before (written out here as the oracle).
 */
class FusedBackwardTest {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private final Random rnd = new Random(47);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        double[] v = new double[(int) org.ddrl.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return Tensor.of(v, shape).to(dt);
    }

    private static Tensor leaf(Tensor t) {
        return t.copy().requiresGrad(true);
    }

    /** Gradients of sum(f(inputs) * v) with respect to every non-null input, through the engine. */
    private static Tensor[] engineGrads(java.util.function.Function<Tensor[], Tensor> f, Tensor v, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = inputs[i] == null ? null : leaf(inputs[i]);
        f.apply(leaves).mul(v).sum().backward();
        Tensor[] g = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) g[i] = leaves[i] == null ? null : leaves[i].grad();
        return g;
    }

    /** F32 results of a short chain: relative 1e-5; F64: 1e-12. */
    private static void assertClose(String what, Tensor expected, Tensor actual) {
        double tol = actual.dtype() == DType.F64 ? 1e-12 : 2e-5;
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertTrue(e.length == a.length, what + ": " + a.length + " elements, expected " + e.length);
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])), what + " element " + i + ": " + a[i] + ", composite " + e[i]);
        }
    }

    private static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what + ": not the fused op's result");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void activations(DType dt) {
        Tensor x = rand(dt, -5, 5, 7, 33), v = rand(dt, -1, 1, 7, 33);
        for (String form : new String[] {"none", "tanh"}) {
            Tensor gx = engineGrads(in -> in[0].gelu(form), v, x)[0];
            assertSameBits("gelu " + form, ActivationGrads.gelu(v, x, form), gx);
            assertClose("gelu " + form, v.mul(geluDerivativeComposite(x, form)), gx);
        }
        Tensor gx = engineGrads(in -> in[0].silu(), v, x)[0];
        assertSameBits("silu", ActivationGrads.silu(v, x), gx);
        Tensor s = x.sigmoid();
        assertClose("silu", v.mul(s.mul(x.mul(s.rsub(1)).add(1))), gx);
    }

    /** The chains the GELU rule used to build. */
    private static Tensor geluDerivativeComposite(Tensor x, String form) {
        if (form.equals("tanh")) {
            Tensor x2 = x.mul(x);
            Tensor t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
            Tensor du = x2.mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
            return t.add(1).mul(0.5).add(x.mul(0.5).mul(t.mul(t).rsub(1)).mul(du));
        }
        Tensor cdf = x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
        Tensor pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
        return cdf.add(x.mul(pdf));
    }

    /** rstd (gh - mean(gh) - xhat mean(gh xhat)) over dims, as the old normalizeBackward. */
    private static Tensor normalizeBackward(Tensor gh, Tensor xhat, Tensor rstd, int[] dims) {
        return gh.sub(gh.mean(dims, true)).sub(xhat.mul(gh.mul(xhat).mean(dims, true))).mul(rstd);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layerNorm(DType dt) {
        Tensor x = rand(dt, -1, 4, 3, 5, 17), v = rand(dt, -1, 1, 3, 5, 17);
        Tensor w = rand(dt, 0.5, 1.5, 5, 17), b = rand(dt, -1, 1, 5, 17);
        int[] dims = {1, 2};
        Tensor[] g = engineGrads(in -> Functional.layerNorm(in[0], new int[] {5, 17}, in[1], in[2], 1e-5), v, x, w, b);
        NormGrads fused = NormGrads.layerNorm(v, x, w, 2, 1e-5, true, true, true);
        assertSameBits("layer_norm input", fused.input(), g[0]);
        assertSameBits("layer_norm weight", fused.weight(), g[1]);
        Tensor rstd = x.var(dims, 0, true).add(1e-5).rsqrt();
        Tensor xhat = x.sub(x.mean(dims, true)).mul(rstd);
        assertClose("layer_norm input", normalizeBackward(v.mul(w), xhat, rstd, dims), g[0]);
        assertClose("layer_norm weight", v.mul(xhat).sum(0), g[1]);
        assertClose("layer_norm bias", v.sum(0), g[2]);
        // no affine parameters
        Tensor gx = engineGrads(in -> Functional.layerNorm(in[0], new int[] {17}, null, null, 1e-5), v, x)[0];
        Tensor r1 = x.var(new int[] {2}, 0, true).add(1e-5).rsqrt();
        assertClose("layer_norm plain", normalizeBackward(v, x.sub(x.mean(new int[] {2}, true)).mul(r1), r1, new int[] {2}), gx);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rmsNorm(DType dt) {
        Tensor x = rand(dt, -2, 2, 4, 33), v = rand(dt, -1, 1, 4, 33), w = rand(dt, 0.5, 1.5, 33);
        int[] dims = {1};
        Tensor[] g = engineGrads(in -> Functional.rmsNorm(in[0], new int[] {33}, in[1], 1e-6), v, x, w);
        assertSameBits("rms_norm input", NormGrads.rmsNorm(v, x, w, 1, 1e-6, true, true).input(), g[0]);
        Tensor rstd = x.mul(x).mean(dims, true).add(1e-6).rsqrt();
        Tensor xhat = x.mul(rstd), gh = v.mul(w);
        assertClose("rms_norm input", gh.sub(xhat.mul(gh.mul(xhat).mean(dims, true))).mul(rstd), g[0]);
        assertClose("rms_norm weight", v.mul(xhat).sum(0), g[1]);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void groupNorm(DType dt) {
        Tensor x = rand(dt, -1, 3, 2, 6, 4, 5), v = rand(dt, -1, 1, 2, 6, 4, 5);
        Tensor w = rand(dt, 0.5, 1.5, 6), b = rand(dt, -1, 1, 6);
        Tensor[] g = engineGrads(in -> Functional.groupNorm(in[0], 3, in[1], in[2], 1e-5), v, x, w, b);
        assertSameBits("group_norm input", NormGrads.groupNorm(v, x, w, 3, 1e-5, true, true, true).input(), g[0]);
        Tensor xr = x.reshape(2, 3, -1);
        int[] inGroup = {2}, notChannel = {0, 2, 3};
        Tensor rstd = xr.var(inGroup, 0, true).add(1e-5).rsqrt();
        Tensor xhatR = xr.sub(xr.mean(inGroup, true)).mul(rstd);
        Tensor gh = v.mul(w.reshape(1, 6, 1, 1));
        assertClose("group_norm input", normalizeBackward(gh.reshape(2, 3, -1), xhatR, rstd, inGroup).reshape(x.shape()), g[0]);
        assertClose("group_norm weight", v.mul(xhatR.reshape(x.shape())).sum(notChannel, false), g[1]);
        assertClose("group_norm bias", v.sum(notChannel, false), g[2]);
    }
}
