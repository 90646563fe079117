package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * Dense F32/F64 CPU parameters take the one-pass path; strided views take the tensor-op path. Both must
 * give the same bits, at a size with a vector tail (35) and one split over the thread pool (300 x 301).
 */
class FusedPathTest {
    static final int[][] SHAPES = {{5, 7}, {300, 301}};

    /** A dense parameter and a transposed-view parameter with the same values, and per-step gradients. */
    static void compare(DType dtype, int[] shape, Function<List<Tensor>, Runnable> makeStep) {
        Generator gen = new Generator(shape[0] * 1000L + shape[1]);
        Tensor base = Tensor.randn(gen, dtype, Device.CPU, shape[1], shape[0]);
        Tensor strided = base.t().requiresGrad(true); // shape[0] x shape[1], not contiguous
        Tensor dense = base.t().contiguous().requiresGrad(true);
        assertTrue(!strided.isContiguous() && CpuFused.applies(dense) && !CpuFused.applies(strided));
        Runnable stepDense = makeStep.apply(List.of(dense));
        Runnable stepStrided = makeStep.apply(List.of(strided));
        for (int s = 0; s < 3; s++) {
            Tensor g = Tensor.randn(gen, dtype, Device.CPU, shape).mul(s == 1 ? 0.01 : 1);
            dense.setGrad(g);
            strided.setGrad(g);
            stepDense.run();
            stepStrided.run();
        }
        String what = dtype + " " + shape[0] + "x" + shape[1];
        if (dtype == DType.F32) assertArrayEquals(strided.toFloatArray(), dense.toFloatArray(), 0f, what);
        else assertArrayEquals(strided.toDoubleArray(), dense.toDoubleArray(), 0, what);
    }

    static void forAll(Function<List<Tensor>, Runnable> makeStep) {
        for (DType dt : new DType[] {DType.F32, DType.F64}) for (int[] shape : SHAPES) compare(dt, shape, makeStep);
    }

    @Test
    void sgdPathsAgree() {
        forAll(ps -> new SGD(ps, new SGD.Options().lr(0.1).momentum(0.9).weightDecay(0.01).nesterov(true))::step);
        forAll(ps -> new SGD(ps, new SGD.Options().lr(0.1).momentum(0.8).dampening(0.3))::step);
        forAll(ps -> new SGD(ps, new SGD.Options().lr(0.1))::step);
    }

    @Test
    void adamWPathsAgree() {
        forAll(ps -> new AdamW(ps, new AdamW.Options().lr(0.01).weightDecay(0.1).amsgrad(true))::step);
        forAll(ps -> new AdamW(ps, new AdamW.Options().lr(0.01).weightDecay(0).betas(0.8, 0.95))::step);
    }

    @Test
    void emaPathsAgree() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (int[] shape : SHAPES) {
                Generator gen = new Generator(7);
                Tensor base = Tensor.randn(gen, dt, Device.CPU, shape[1], shape[0]);
                Tensor strided = base.t(), dense = base.t().contiguous();
                Ema a = Ema.power(Map.of("p", dense), 0.05, 0.1), b = Ema.power(Map.of("p", strided), 0.05, 0.1);
                for (int s = 0; s < 3; s++) {
                    Tensor x = Tensor.randn(gen, dt, Device.CPU, shape);
                    dense.copyFrom(x);
                    strided.copyFrom(x);
                    a.update();
                    b.update();
                }
                for (int k = 0; k < 2; k++) {
                    assertArrayEquals(b.averaged(k).get("p").toDoubleArray(), a.averaged(k).get("p").toDoubleArray(), 0,
                            dt + " " + shape[0] + "x" + shape[1]);
                }
            }
        }
    }

    @Test
    void autodiffSeesTheInPlaceUpdate() {
        Tensor p = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        Tensor loss = p.exp().sum(); // exp saves p for its backward
        p.setGrad(Tensor.ones(3));
        new SGD(List.of(p), new SGD.Options().lr(0.1)).step();
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
    }
}
