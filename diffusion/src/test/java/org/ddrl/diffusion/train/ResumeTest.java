package org.ddrl.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted halfway and resumed gives the uninterrupted run's loss curve and final weights, to a relative 1e-6.
 *
 * <p>Not bit for bit: the CPU kernels' Vector API lane reductions (sums along the last dim, softmax, GEMV) add the
 * lanes in an order the JDK leaves open, and it changes when the JIT compiles them, so even two fresh runs in one JVM
 * differ in the last bits of a gradient once the code warms up (measured: about 1e-10 relative at step 1). The data
 * order, the noise draws and the learning rates are exact, which this test checks too.
 */
class ResumeTest {
    private static final int STEPS = 8;
    private static final double RTOL = 1e-6;

    @TempDir
    Path dir;

    @Test
    void resumedRunEqualsTheUninterruptedOneBitForBit() throws IOException {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        TinyRuns.run(TinyRuns.config(straight, STEPS), false, STEPS);

        PretrainConfig cfg = TinyRuns.config(resumed, STEPS);
        TinyRuns.run(cfg, false, STEPS / 2 + 1);
        // A crash after step 5: its checkpoint is lost, but the metrics of step 5 were already logged.
        Checkpoints.deleteTree(resumed.resolve(Pretrainer.CHECKPOINTS).resolve(Checkpoints.dirName(STEPS / 2 + 1)));
        assertEquals(STEPS / 2 + 1, MetricsLog.read(resumed.resolve(Pretrainer.METRICS)).size());
        String out = TinyRuns.run(cfg, true, STEPS);
        assertTrue(out.contains("resuming from") && out.contains(Checkpoints.dirName(STEPS / 2)), out);

        List<JsonNode> a = MetricsLog.read(straight.resolve(Pretrainer.METRICS));
        List<JsonNode> b = MetricsLog.read(resumed.resolve(Pretrainer.METRICS));
        assertEquals(steps(a), steps(b), "the re-run step 5 replaces the one logged before the crash");
        for (int i = 0; i < STEPS; i++) {
            double la = a.get(i).get("loss").doubleValue(), lb = b.get(i).get("loss").doubleValue();
            assertEquals(la, lb, RTOL * Math.abs(la), "loss of step " + (i + 1));
            double ga = a.get(i).get("grad_norm").doubleValue(), gb = b.get(i).get("grad_norm").doubleValue();
            assertEquals(ga, gb, RTOL * Math.abs(ga), "grad norm of step " + (i + 1));
            assertEquals(a.get(i).get("lr").doubleValue(), b.get(i).get("lr").doubleValue(), 0.0, "lr of step " + (i + 1));
        }
        Map<String, Tensor> wa = weights(straight, RunCheckpoint.EMA_MODEL), wb = weights(resumed, RunCheckpoint.EMA_MODEL);
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) {
            float[] x = wa.get(k).toFloatArray(), y = wb.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-6 + RTOL * Math.abs(x[i]), k + "[" + i + "] of the EMA weights");
        }
        RunState sa = RunCheckpoint.state(last(straight)), sb = RunCheckpoint.state(last(resumed));
        assertEquals(sa.noiseOffset(), sb.noiseOffset(), "the same noise was drawn");
        assertEquals(sa.batches(), sb.batches());
    }

    @Test
    void resumingAFinishedRunOnlySamplesAgain() throws IOException {
        PretrainConfig cfg = TinyRuns.config(dir, 2);
        TinyRuns.run(cfg, false, 2);
        List<JsonNode> before = MetricsLog.read(dir.resolve(Pretrainer.METRICS));
        String out = TinyRuns.run(cfg, true, 2);
        assertTrue(out.contains("attribute accuracy"), out);
        assertEquals(before, MetricsLog.read(dir.resolve(Pretrainer.METRICS)));
        assertFalse(before.isEmpty());
    }

    private static List<Long> steps(List<JsonNode> lines) {
        List<Long> out = new ArrayList<>();
        for (JsonNode n : lines) out.add(n.get("step").longValue());
        return out;
    }

    private static Path last(Path run) {
        return run.resolve(Pretrainer.CHECKPOINTS).resolve(Checkpoints.dirName(STEPS));
    }

    private static Map<String, Tensor> weights(Path run, String file) throws IOException {
        return Safetensors.load(last(run).resolve(file));
    }
}
