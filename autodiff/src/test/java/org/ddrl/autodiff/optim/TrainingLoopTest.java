package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Whole training loops: each optimizer fits a linear regression, and a loop's memory stays flat. */
class TrainingLoopTest {
    static final float[] W_TRUE = {1.5f, -2f, 0.5f};
    static final float B_TRUE = 0.3f;

    /** Noise-free data y = X w* + b*, so the fit can be exact. */
    record Data(Tensor x, Tensor y) {
        static Data make(long seed) {
            Tensor x = Tensor.randn(new Generator(seed), DType.F32, Device.CPU, 64, 3);
            return new Data(x, x.matmul(Tensor.of(W_TRUE)).add(B_TRUE));
        }
    }

    static Map<String, Tensor> model() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.zeros(DType.F32, 3).requiresGrad(true));
        m.put("b", Tensor.zeros(DType.F32).requiresGrad(true));
        return m;
    }

    /** One step of mean squared error; the forward and backward temporaries die in their own scope. */
    static double step(Data d, Map<String, Tensor> m, Optimizer opt) {
        double loss;
        try (Scope s = Scope.open()) {
            Tensor l = d.x().matmul(m.get("w")).add(m.get("b")).sub(d.y()).pow(2).mean();
            l.backward();
            loss = l.item();
        }
        opt.step();
        opt.zeroGrad();
        return loss;
    }

    static void fits(Function<Map<String, Tensor>, Optimizer> make, int steps, LrSchedule schedule) {
        Data d = Data.make(11);
        Map<String, Tensor> m = model();
        Optimizer opt = make.apply(m);
        Scheduler sched = new Scheduler(opt, schedule);
        double first = step(d, m, opt);
        double last = first;
        for (int i = 1; i < steps; i++) {
            sched.step();
            last = step(d, m, opt);
        }
        assertTrue(last < first * 1e-6, "loss " + first + " -> " + last);
        assertArrayEquals(W_TRUE, m.get("w").toFloatArray(), 1e-3f);
        assertEquals(B_TRUE, m.get("b").item(), 1e-3);
    }

    @Test
    void sgdWithMomentumFits() {
        fits(m -> new SGD(m, new SGD.Options().lr(0.05).momentum(0.9)), 150, LrSchedule.constant());
    }

    @Test
    void sgdWithNesterovFits() {
        fits(m -> new SGD(m, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true)), 150, LrSchedule.constant());
    }

    @Test
    void adamWFits() {
        // Adam's steps do not shrink with the gradient: the cosine schedule anneals them
        fits(m -> new AdamW(m, new AdamW.Options().lr(0.1).weightDecay(0)), 400, LrSchedule.warmupCosine(10, 400, 0));
    }

    /**
     * The off-heap counter is process-wide and the Cleaner frees other tests' unreachable tensors in the
     * background; collect until it stands still.
     */
    static long quiescentBytes() throws InterruptedException {
        long last = -1;
        for (int stable = 0, i = 0; stable < 3 && i < 100; i++) {
            System.gc();
            Thread.sleep(10);
            long now = HostMemory.allocatedBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    @Test
    void offHeapMemoryDoesNotGrowAfterTheFirstStep() throws InterruptedException {
        long before = quiescentBytes();
        try (Scope run = Scope.open()) {
            Data d = Data.make(12);
            Map<String, Tensor> m = model();
            Map<String, Tensor> m2 = model();
            AdamW adam = new AdamW(ParamGroup.weightDecaySplit(m, 0.1), new AdamW.Options().lr(0.01).amsgrad(true));
            SGD sgd = new SGD(m2, new SGD.Options().lr(0.01).momentum(0.9).nesterov(true));
            Scheduler sched = new Scheduler(adam, LrSchedule.warmupCosine(5, 100, 0.1));
            Ema ema = Ema.power(m, 0.05, 0.1);
            Runnable iteration = () -> {
                try (Scope s = Scope.open()) {
                    d.x().matmul(m.get("w")).add(m.get("b")).sub(d.y()).pow(2).mean().backward();
                }
                ClipGrad.clipGradNorm(m, 1.0);
                adam.step();
                adam.zeroGrad();
                sched.step();
                ema.update();
                step(d, m2, sgd);
            };
            iteration.run();
            long afterFirst = quiescentBytes();
            assertTrue(afterFirst > before, "the state was allocated");
            for (int i = 0; i < 50; i++) iteration.run();
            long afterAll = quiescentBytes();
            assertTrue(afterAll <= afterFirst, "grew by " + (afterAll - afterFirst) + " bytes over 50 steps");
            assertEquals(3, adam.state("w").buffers().size());
            assertEquals(51, adam.state("w").step());
        }
        assertTrue(quiescentBytes() <= before, "closing the run's scope frees parameters, gradients and state");
    }
}
