package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void constantIsOne() {
        assertEquals(1, LrSchedule.constant().factor(0));
        assertEquals(1, LrSchedule.constant().factor(1_000_000));
    }

    @Test
    void linearWarmupReachesOneAtTheLastWarmupStep() {
        LrSchedule s = LrSchedule.linearWarmup(4);
        assertEquals(0.25, s.factor(0));
        assertEquals(0.5, s.factor(1));
        assertEquals(1, s.factor(3));
        assertEquals(1, s.factor(4));
        assertEquals(1, s.factor(100));
    }

    @Test
    void cosineFallsToTheFloor() {
        LrSchedule s = LrSchedule.cosine(100, 0.1);
        assertEquals(1, s.factor(0), 1e-15);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)), s.factor(25), 1e-15);
        assertEquals(0.55, s.factor(50), 1e-15);
        assertEquals(0.1, s.factor(100), 1e-15);
        assertEquals(0.1, s.factor(1000), 1e-15);
    }

    @Test
    void warmupThenCosineAtKeySteps() {
        LrSchedule s = LrSchedule.warmupCosine(10, 110, 0.0);
        assertEquals(0.1, s.factor(0), 1e-15); // first step
        assertEquals(1, s.factor(9), 1e-15); // end of warm-up
        assertEquals(1, s.factor(10), 1e-15); // cosine starts at the top
        assertEquals(0.5, s.factor(60), 1e-15); // middle of the decay
        assertEquals(0, s.factor(110), 1e-15); // end
        assertEquals(0, s.factor(500), 1e-15);
        // a decay strictly between the ends
        double f = s.factor(35);
        assertTrue(f < 1 && f > 0.5, "factor " + f);
    }

    @Test
    void thenComposesSchedules() {
        LrSchedule s = LrSchedule.constant().then(5, step -> 0.5 / (1 + step));
        assertEquals(1, s.factor(4));
        assertEquals(0.5, s.factor(5));
        assertEquals(0.25, s.factor(6));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.linearWarmup(0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(10, 10, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(10, 0).factor(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void schedulerSetsEveryGroupsRateFromItsBase() {
        Tensor a = Tensor.of(new double[] {1}).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1}).requiresGrad(true);
        SGD opt = new SGD(List.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).set("lr", 0.01)), new SGD.Options().lr(0.1));
        Scheduler sched = new Scheduler(opt, LrSchedule.linearWarmup(2));
        assertEquals(0.05, opt.groups().get(0).lr(), 1e-15);
        assertEquals(0.005, opt.groups().get(1).lr(), 1e-15);
        a.setGrad(Tensor.of(new double[] {1}));
        opt.step();
        assertEquals(1 - 0.05, a.item(), 1e-15, "the first step used the scheduled rate");
        sched.step();
        assertEquals(1, sched.currentStep());
        assertEquals(0.1, opt.lr(), 1e-15);
        assertEquals(0.01, opt.groups().get(1).lr(), 1e-15);
        assertEquals(0.1, opt.groups().get(0).getDouble("initial_lr"));

        // a resumed run gets the base rates back with the optimizer state
        Tensor a2 = Tensor.of(new double[] {1}).requiresGrad(true);
        Tensor b2 = Tensor.of(new double[] {1}).requiresGrad(true);
        SGD opt2 = new SGD(List.of(ParamGroup.of(List.of(a2)), ParamGroup.of(List.of(b2))), new SGD.Options().lr(7));
        opt2.loadStateDict(opt.stateDict());
        new Scheduler(opt2, LrSchedule.warmupCosine(2, 4, 0), 3);
        assertEquals(0.1 * 0.5, opt2.lr(), 1e-15);
        assertEquals(0.01 * 0.5, opt2.groups().get(1).lr(), 1e-15);
    }
}
