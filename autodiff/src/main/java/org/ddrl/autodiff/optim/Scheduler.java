package org.ddrl.autodiff.optim;

/**
 * Sets an optimizer's learning rates from an {@link LrSchedule}: group lr = base lr x factor(step). The
 * base rate of each group is its "initial_lr" option, recorded from its lr when the first scheduler is
 * attached (as PyTorch does); it is part of the optimizer's state, so a resumed run gets it back from
 * {@link Optimizer#load} and a new Scheduler then continues with {@code startStep}.
 *
 * <pre>{@code
 * var sched = new Scheduler(opt, LrSchedule.warmupCosine(1000, 100_000, 0.1));
 * for (...) { loss.backward(); opt.step(); opt.zeroGrad(); sched.step(); }
 * }</pre>
 */
public final class Scheduler {
    static final String INITIAL_LR = "initial_lr";

    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private long step;

    /** Attaches the schedule and sets the rates of step 0. */
    public Scheduler(Optimizer optimizer, LrSchedule schedule) {
        this(optimizer, schedule, 0);
    }

    /** Attaches the schedule and sets the rates of {@code startStep}, for a resumed run. */
    public Scheduler(Optimizer optimizer, LrSchedule schedule, long startStep) {
        if (startStep < 0) throw new IllegalArgumentException("Scheduler: startStep must be >= 0, got " + startStep);
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.step = startStep;
        for (ParamGroup g : optimizer.groups()) if (!g.has(INITIAL_LR)) g.set(INITIAL_LR, g.lr());
        apply();
    }

    /** Moves to the next step's rates; call once after each optimizer step. */
    public void step() {
        step++;
        apply();
    }

    /** The step whose rates are set now. */
    public long currentStep() {
        return step;
    }

    private void apply() {
        double f = schedule.factor(step);
        for (ParamGroup g : optimizer.groups()) g.setLr(g.getDouble(INITIAL_LR) * f);
    }
}
