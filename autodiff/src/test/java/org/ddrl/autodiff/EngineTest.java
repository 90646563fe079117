package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** The engine's contract: accumulation, retain-graph, in-place detection, no-grad, hooks, checkpointing. */
class EngineTest {
    private static Tensor vec(double... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    @Test
    void chainRuleThroughBroadcastAndViews() {
        Tensor x = vec(1, 2, 3);
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        // y = sum_i sum_j (w[i, j] * x[j])^2
        Tensor y = w.mul(x).pow(2).sum();
        y.backward();
        assertArrayEquals(new double[] {2 * (1 * 1 + 4 * 4), 2 * (4 * 2 + 25 * 2), 2 * (9 * 3 + 36 * 3)}, x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2, 16, 54, 8, 40, 108}, w.grad().toDoubleArray(), 1e-12);
        assertTrue(x.isLeaf() && !y.isLeaf());
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor x = vec(1, 2);
        x.mul(3).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {3 + 2, 3 + 4}, x.grad().toDoubleArray(), 0);
        x.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void secondBackwardNeedsRetainGraph() {
        Tensor x = vec(1, 2);
        Tensor y = x.exp().sum();
        y.backward(Tensor.ones(DType.F64, Device.CPU), true);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.exp(1), 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void inPlaceChangeOfASavedTensorIsReported() {
        Tensor x = vec(1, 2);
        Tensor h = x.mul(2);
        Tensor y = h.exp().sum(); // exp saves its output and input h
        try (var g = GradMode.noGrad()) {
            h.fill(0);
        }
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("exp") && e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void inPlaceWriteIntoALeafThatRequiresGradIsRefused() {
        Tensor x = vec(1, 2);
        var e = assertThrows(IllegalStateException.class, () -> x.fill(3));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        try (var g = GradMode.noGrad()) {
            x.fill(3);
        }
        assertArrayEquals(new double[] {3, 3}, x.toDoubleArray(), 0);
    }

    @Test
    void noGradAndDetachRecordNothing() {
        Tensor x = vec(1, 2);
        try (var g = GradMode.noGrad()) {
            assertFalse(x.mul(2).requiresGrad());
        }
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertFalse(d.mul(2).requiresGrad());
        var e = assertThrows(IllegalStateException.class, () -> d.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {1}).requiresGrad(true));
        assertTrue(e2.getMessage().contains("I64"), e2.getMessage());
    }

    @Test
    void hooksSeeAndReplaceTheIncomingGradient() {
        Tensor x = vec(1, 2);
        double[] seen = new double[2];
        x.registerHook(g -> {
            System.arraycopy(g.toDoubleArray(), 0, seen, 0, 2);
            return g.mul(10);
        });
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4}, seen, 0, "the hook sees the gradient summed over both uses of x");
        assertArrayEquals(new double[] {20, 40}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void gradReturnsValuesWithoutTouchingDotGrad() {
        Tensor x = vec(1, 2), y = vec(3, 4);
        Tensor z = x.mul(y).sum();
        Tensor[] g = Autograd.grad(z, null, x, y);
        assertArrayEquals(new double[] {3, 4}, g[0].toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 2}, g[1].toDoubleArray(), 0);
        assertNull(x.grad());
    }

    @Test
    void gradientsOutliveTheScopeOfTheStep() {
        Tensor w = vec(1, 2, 3);
        try (Scope step = Scope.open()) {
            w.mul(w).sum().backward();
        }
        assertArrayEquals(new double[] {2, 4, 6}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void customFunctionUsesItsBackward() {
        Tensor x = vec(1, 2);
        Tensor out;
        try (var g = GradMode.noGrad()) {
            out = x.mul(x);
        }
        Tensor y = Autograd.function("square", new Tensor[] {x}, out, g -> new Tensor[] {g.mul(x.detach()).mul(2)});
        y.sum().backward();
        assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray(), 0);
    }

    /** A deep block of wide layers: the activations dominate memory. */
    private static Tensor block(Tensor[] in) {
        Tensor h = in[0];
        for (int i = 0; i < 6; i++) h = h.matmul(in[1]).tanh();
        return h;
    }

    /**
     * The off-heap counter is process-wide and the Cleaner frees earlier tests' unreachable tensors in the background;
     * a free during the measured part would lower the measured peak, so collect until the counter stands still.
     */
    private static void settleOffHeap() {
        long last = -1;
        for (int stable = 0, i = 0; stable < 3 && i < 100; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = HostMemory.allocatedBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }

    @Test
    void checkpointGivesTheSameGradientsWithLessPeakMemory() {
        Generator gen = new Generator(5);
        Tensor x0 = Tensor.randn(gen, DType.F64, Device.CPU, 256, 64);
        Tensor w0 = Tensor.randn(gen, DType.F64, Device.CPU, 64, 64).mul(0.2);
        long[] peaks = new long[2];
        Tensor[] grads = new Tensor[2];
        for (int mode = 0; mode < 2; mode++) {
            Tensor w = w0.copy().requiresGrad(true);
            Tensor x = x0.copy().requiresGrad(true);
            try (Scope scope = Scope.open()) {
                settleOffHeap();
                HostMemory.resetPeak();
                long base = HostMemory.allocatedBytes();
                Tensor h = mode == 0 ? block(new Tensor[] {x, w}) : Autograd.checkpoint(EngineTest::block, x, w);
                h = mode == 0 ? block(new Tensor[] {h, w}) : Autograd.checkpoint(EngineTest::block, h, w);
                h.sum().backward();
                peaks[mode] = HostMemory.peakBytes() - base;
            }
            grads[mode] = w.grad();
        }
        assertArrayEquals(grads[0].toDoubleArray(), grads[1].toDoubleArray(), 1e-10);
        assertTrue(peaks[1] < peaks[0] * 0.75, "checkpointed peak " + peaks[1] + " bytes vs plain " + peaks[0]);
        assertEquals(2, grads.length);
    }

    /** A weight read by the checkpointed function but not passed to it gets its gradient through the captured list. */
    @Test
    void checkpointSendsGradientsToCapturedTensors() {
        Generator gen = new Generator(6);
        Tensor x0 = Tensor.randn(gen, DType.F64, Device.CPU, 8, 16);
        Tensor w0 = Tensor.randn(gen, DType.F64, Device.CPU, 16, 16).mul(0.3);
        Tensor[] gw = new Tensor[2];
        Tensor[] gx = new Tensor[2];
        for (int mode = 0; mode < 2; mode++) {
            Tensor w = w0.copy().requiresGrad(true);
            Tensor x = x0.copy().requiresGrad(true);
            java.util.function.Function<Tensor[], Tensor> f = in -> block(new Tensor[] {in[0], w});
            try (Scope scope = Scope.open()) {
                Tensor h = mode == 0 ? f.apply(new Tensor[] {x}) : Autograd.checkpoint(f, java.util.List.of(w), x);
                h.sum().backward();
            }
            gw[mode] = w.grad();
            gx[mode] = x.grad();
        }
        assertArrayEquals(gw[0].toDoubleArray(), gw[1].toDoubleArray(), 1e-10);
        assertArrayEquals(gx[0].toDoubleArray(), gx[1].toDoubleArray(), 1e-10);
    }
}
