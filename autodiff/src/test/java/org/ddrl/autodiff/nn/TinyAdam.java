package org.ddrl.autodiff.nn;

import java.util.List;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/** A minimal Adam for the learning tests (the optimizer package is separate); moments live as long as the parameters. */
final class TinyAdam {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
    private final List<Tensor> params;
    private final Tensor[] m;
    private final Tensor[] v;
    private final double lr;
    private int t;

    TinyAdam(List<Tensor> params, double lr) {
        this.params = params;
        this.lr = lr;
        m = new Tensor[params.size()];
        v = new Tensor[params.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Tensor.zeros(params.get(i).dtype(), params.get(i).shape());
            v[i] = Tensor.zeros(params.get(i).dtype(), params.get(i).shape());
        }
    }

    /** One update from the current gradients; temporaries belong to the caller's per-step scope. */
    void step() {
        t++;
        double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (int i = 0; i < m.length; i++) {
                Tensor p = params.get(i), grad = p.grad();
                if (grad == null) continue;
                m[i].copyFrom(m[i].mul(BETA1).add(grad.mul(1 - BETA1)));
                v[i].copyFrom(v[i].mul(BETA2).add(grad.mul(grad).mul(1 - BETA2)));
                p.copyFrom(p.sub(m[i].div(c1).div(v[i].div(c2).sqrt().add(EPS)).mul(lr)));
            }
        }
    }
}
