package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;

/**
 * Gaussian data x0 ~ N(m_d, s_d^2) independently per dim d, for which every quantity a sampler needs is
 * known in closed form. With x_t = (1 - t) x0 + t eps:
 * <pre>
 *   x_t ~ N((1 - t) m, V),  V = (1 - t)^2 s^2 + t^2
 *   E[x0 | x_t]  = m + (1 - t) s^2 / V (x_t - (1 - t) m)
 *   E[eps | x_t] = t / V (x_t - (1 - t) m)
 *   v*(x_t, t)   = E[eps | x_t] - E[x0 | x_t] = (t - (1 - t) s^2) / V (x_t - (1 - t) m) - m
 * </pre>
 * The exact probability-flow ODE keeps the standardized coordinate fixed, so it maps the noise z to
 * x0 = m + s z.
 */
final class GaussianTarget {
    final double[] m;
    final double[] s;
    final Tensor mean;
    final Tensor var;

    GaussianTarget(double[] m, double[] s) {
        this.m = m.clone();
        this.s = s.clone();
        float[] mf = new float[m.length], vf = new float[m.length];
        for (int d = 0; d < m.length; d++) {
            mf[d] = (float) m[d];
            vf[d] = (float) (s[d] * s[d]);
        }
        this.mean = Tensor.of(mf, m.length);
        this.var = Tensor.of(vf, m.length);
    }

    /** Eight dims with different means and scales. */
    static GaussianTarget eightDims() {
        return new GaussianTarget(new double[] {-1.0, -0.6, -0.2, 0.0, 0.25, 0.5, 0.9, 1.4},
                new double[] {0.3, 0.5, 0.8, 1.0, 1.2, 0.4, 0.7, 1.5});
    }

    int dims() {
        return m.length;
    }

    /** The exact velocity field. */
    VelocityModel exact() {
        return (x, t, cond) -> velocity(x, t, mean);
    }

    /** The exact field with the data mean taken from {@code theta} [D], a parameter gradients can reach. */
    VelocityModel withMean(Tensor theta) {
        return (x, t, cond) -> velocity(x, t, theta);
    }

    private Tensor velocity(Tensor x, Tensor t, Tensor m) {
        Tensor tb = t.reshape(t.size(0), 1);
        Tensor u = tb.rsub(1);
        Tensor v = u.mul(u).mul(var).add(tb.mul(tb));
        Tensor a = tb.sub(u.mul(var)).div(v);
        return a.mul(x.sub(u.mul(m))).sub(m);
    }

    /** Per-dim sample means and variances (population) of samples [B, D]; row 0 means, row 1 variances. */
    static double[][] moments(Tensor samples) {
        int b = samples.size(0), dims = samples.size(1);
        double[] x = samples.contiguous().toDoubleArray();
        double[][] out = new double[2][dims];
        for (int d = 0; d < dims; d++) {
            double sum = 0;
            for (int i = 0; i < b; i++) sum += x[i * dims + d];
            double mu = sum / b, ss = 0;
            for (int i = 0; i < b; i++) ss += (x[i * dims + d] - mu) * (x[i * dims + d] - mu);
            out[0][d] = mu;
            out[1][d] = ss / b;
        }
        return out;
    }
}
