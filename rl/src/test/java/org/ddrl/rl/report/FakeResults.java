package org.ddrl.rl.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.Metrics;
import org.ddrl.tensor.Tensor;

/** A small made-up experiment: two arms, two seeds, curves of a few steps, and tiny real videos for the GIF grids. */
final class FakeResults {
    static final long[] SEEDS = {11, 12};
    static final int[] STEPS = {0, 10, 20};

    private FakeResults() {}

    /** Final metrics of arm a (0 = ddrl, 1 = dance) and seed s (0, 1): known numbers the tests check. */
    static Metrics metrics(int a, int s) {
        return new Metrics(0.5 + 0.1 * a + 0.01 * s, 0.9 - 0.2 * a, 1.0 + 3 * a + s, 2.0 - a, 0.01 + 0.1 * a, 0.3 + 0.05 * a,
                a == 0 ? Double.NaN : 0.02 + 0.01 * s, a == 0 ? 0 : -0.5 - 0.1 * s);
    }

    static ExperimentResult result() {
        List<ArmResult> arms = new ArrayList<>();
        String[] names = {"ddrl", "dance grpo"};
        for (int a = 0; a < 2; a++) {
            List<SeedRun> runs = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                List<CurvePoint> curve = new ArrayList<>();
                for (int step : STEPS) {
                    Map<Metric, Double> m = new LinkedHashMap<>();
                    m.put(Metric.PROXY_REWARD, 0.4 + step * (0.005 + 0.005 * a) + 0.01 * s);
                    if (step != 10) m.put(Metric.FVD_MINI, 1 + step * (0.01 + 0.1 * a));
                    curve.add(new CurvePoint(step, Metrics.of(m)));
                }
                runs.add(new SeedRun(SEEDS[s], metrics(a, s), 60 + 10 * a + s, curve));
            }
            arms.add(new ArmResult(names[a], Map.of("algorithm", a == 0 ? "ddrl" : "dance_grpo", "data_beta", a == 0 ? 0.5 : 0.0), runs));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("video", "8 frames of 16x16");
        config.put("rollouts_per_prompt", 8);
        config.put("note", "<fake> & \"quoted\"");
        return new ExperimentResult("Fake experiment <tiny>", config, "ddrl", arms);
    }

    /** Four real tiny videos per arm for the same prompts and seeds; the second arm's are over-coloured. */
    static SampleGrid grid() {
        List<String> captions = new ArrayList<>();
        long[] seeds = new long[4];
        Tensor[] videos = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            Attributes a = MovingShapes.combinations(org.ddrl.diffusion.data.Split.TRAIN).get(7 * i);
            captions.add(a.caption());
            seeds[i] = 100 + i;
            videos[i] = MovingShapes.generate(MovingShapesConfig.TINY, a, seeds[i], 0);
        }
        Tensor real = Tensor.stack(0, videos);
        Map<String, Tensor> byArm = new LinkedHashMap<>();
        byArm.put("ddrl", real);
        byArm.put("dance grpo", real.mul(1.8).clamp(-1, 1));
        return new SampleGrid(captions, seeds, byArm);
    }
}
