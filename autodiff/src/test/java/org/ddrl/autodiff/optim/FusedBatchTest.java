package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * An optimizer step, an EMA update and gradient clipping gather the one-pass updates of all dense parameters into
 * one parallel pass. Checked against the tensor-op path (strided views of the same values), one parameter at a
 * time, at several thread counts, with many small parameters (each below the grain) and a large one; and clipping a
 * parameter listed twice (tied weights), whose two scalings must still follow each other.
 */
class FusedBatchTest {
    /** Sizes of the parameters: odd small ones, some below one vector, and one above the grain. */
    private static final int[][] SHAPES = {{3, 5}, {1, 7}, {17, 9}, {40, 31}, {2, 3}, {130, 257}, {11, 1}, {64, 64}};

    /** Dense and strided twins of the same random parameters. */
    private static List<Map<String, Tensor>> twins(DType dt, long seed) {
        Generator gen = new Generator(seed);
        Map<String, Tensor> dense = new LinkedHashMap<>(), strided = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            Tensor base = Tensor.randn(gen, dt, Device.CPU, SHAPES[i][1], SHAPES[i][0]);
            strided.put("p" + i, base.t().requiresGrad(true));
            dense.put("p" + i, base.t().contiguous().requiresGrad(true));
        }
        return List.of(dense, strided);
    }

    private static void setGrads(Map<String, Tensor> dense, Map<String, Tensor> strided, Generator gen, double scale) {
        for (String name : dense.keySet()) {
            Tensor g = Tensor.randn(gen, dense.get(name).dtype(), Device.CPU, dense.get(name).shape()).mul(scale);
            dense.get(name).setGrad(g);
            strided.get(name).setGrad(g.mul(1)); // its own buffer: clipping scales gradients in place
        }
    }

    private static double[] values(Map<String, Tensor> params) {
        List<Double> out = new ArrayList<>();
        for (Tensor t : params.values()) for (double v : t.toDoubleArray()) out.add(v);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void adamWAndEmaOverManyParametersMatchTheOpPathAtEveryThreadCount() {
        int saved = Parallel.threads();
        try {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                double[] first = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    List<Map<String, Tensor>> ps = twins(dt, 5);
                    Map<String, Tensor> dense = ps.get(0), strided = ps.get(1);
                    AdamW a = new AdamW(dense, new AdamW.Options().lr(0.01).weightDecay(0.1));
                    AdamW b = new AdamW(strided, new AdamW.Options().lr(0.01).weightDecay(0.1));
                    Ema ea = new Ema(dense, EmaProfile.decay(0.9)), eb = new Ema(strided, EmaProfile.decay(0.9));
                    Generator gen = new Generator(9);
                    for (int s = 0; s < 3; s++) {
                        setGrads(dense, strided, gen, 1);
                        a.step();
                        b.step();
                        ea.update();
                        eb.update();
                    }
                    String what = dt + ", " + threads + " threads";
                    assertArrayEquals(values(strided), values(dense), 0, what + ": parameters");
                    assertArrayEquals(values(eb.averaged(0)), values(ea.averaged(0)), 0, what + ": averages");
                    if (first == null) first = values(dense);
                    else assertArrayEquals(first, values(dense), 0, what + ": same bits as with one thread");
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void clippingMatchesTheOpPathAndKeepsItsBitsAcrossThreadCounts() {
        int saved = Parallel.threads();
        try {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                double firstNorm = Double.NaN;
                double[] firstGrads = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    List<Map<String, Tensor>> ps = twins(dt, 6);
                    Map<String, Tensor> dense = ps.get(0), strided = ps.get(1);
                    setGrads(dense, strided, new Generator(3), 1);
                    // The F64 sum of squares, straight from the definition.
                    double want = 0;
                    for (Tensor p : strided.values()) for (double v : p.grad().toDoubleArray()) want += v * v;
                    want = Math.sqrt(want);
                    List<double[]> before = new ArrayList<>();
                    for (Tensor p : dense.values()) before.add(p.grad().toDoubleArray());
                    double norm = ClipGrad.clipGradNorm(dense, 1.0);
                    double opNorm = ClipGrad.clipGradNorm(strided, 1.0);
                    String what = dt + ", " + threads + " threads";
                    assertEquals(want, norm, want * 1e-13, what + ": norm");
                    assertEquals(opNorm, norm, want * 1e-13, what + ": norm of the op path");
                    double coef = 1.0 / (norm + 1e-6);
                    int i = 0;
                    for (Tensor p : dense.values()) {
                        double[] g0 = before.get(i++), g1 = p.grad().toDoubleArray();
                        for (int j = 0; j < g0.length; j++) {
                            double scaled = dt == DType.F32 ? (float) g0[j] * (float) coef : g0[j] * coef;
                            assertEquals(scaled, g1[j], 0, what + ": gradient scaled in its dtype");
                        }
                    }
                    if (firstGrads == null) {
                        firstNorm = norm;
                        firstGrads = values(gradsOf(dense));
                    } else {
                        assertEquals(firstNorm, norm, 0, what + ": the same norm bits as with one thread");
                        assertArrayEquals(firstGrads, values(gradsOf(dense)), 0, what);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** A parameter given twice is scaled twice, one scaling after the other, as the op path does. */
    @Test
    void clippingATiedParameterScalesItTwiceInOrder() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            List<Map<String, Tensor>> ps = twins(dt, 7);
            Tensor dense = ps.get(0).get("p5"), strided = ps.get(1).get("p5");
            setGrads(ps.get(0), ps.get(1), new Generator(4), 1);
            double n1 = ClipGrad.clipGradNorm(List.of(dense, dense, ps.get(0).get("p1")), 0.5);
            double n2 = ClipGrad.clipGradNorm(List.of(strided, strided, ps.get(1).get("p1")), 0.5);
            assertEquals(n2, n1, n2 * 1e-13, dt + ": norm");
            double coef = 0.5 / (n1 + 1e-6);
            double[] g = strided.grad().toDoubleArray(), got = dense.grad().toDoubleArray();
            double[] once = ps.get(1).get("p1").grad().toDoubleArray(), onceGot = ps.get(0).get("p1").grad().toDoubleArray();
            assertArrayEquals(g, got, Math.abs(coef) * 1e-6, dt + ": the tied gradient, scaled twice");
            assertArrayEquals(once, onceGot, Math.abs(coef) * 1e-6, dt + ": the other gradient, scaled once");
        }
    }

    private static Map<String, Tensor> gradsOf(Map<String, Tensor> params) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.grad()));
        return out;
    }
}
