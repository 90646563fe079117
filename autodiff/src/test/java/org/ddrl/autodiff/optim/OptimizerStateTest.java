package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and restoring optimizer state: a resumed run continues exactly; a mismatched state is refused clearly. */
class OptimizerStateTest {
    @TempDir
    Path dir;

    /** Two named parameters of a tiny model. */
    static Map<String, Tensor> model(long seed) {
        Generator gen = new Generator(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("fc.weight", Tensor.randn(gen, DType.F32, Device.CPU, 3, 2).requiresGrad(true));
        m.put("fc.bias", Tensor.randn(gen, DType.F32, Device.CPU, 2).requiresGrad(true));
        return m;
    }

    static Map<String, Tensor> copyOf(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.detach().copy().requiresGrad(true)));
        return out;
    }

    /** loss = sum(tanh(x W + b)^2) on a fixed input: gradients depend on the parameters. */
    static void trainStep(Map<String, Tensor> m, Optimizer opt) {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f}, 2, 3);
        x.matmul(m.get("fc.weight")).add(m.get("fc.bias")).tanh().pow(2).sum().backward();
        opt.step();
        opt.zeroGrad();
    }

    void resumedRunContinuesIdentically(Function<Map<String, Tensor>, Optimizer> make) throws IOException {
        Map<String, Tensor> a = model(1);
        Optimizer optA = make.apply(a);
        for (int i = 0; i < 3; i++) trainStep(a, optA);
        Path file = dir.resolve("opt.safetensors");
        optA.save(file);

        Map<String, Tensor> b = copyOf(a);
        Optimizer optB = make.apply(b);
        optB.setLr(123);
        optB.load(file);
        assertEquals(optA.lr(), optB.lr(), "the learning rate comes back with the state");
        for (int i = 0; i < 3; i++) {
            trainStep(a, optA);
            trainStep(b, optB);
        }
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
        assertEquals(6, optB.state("fc.weight").step());
    }

    @Test
    void adamWRoundTrip() throws IOException {
        resumedRunContinuesIdentically(m -> new AdamW(ParamGroup.weightDecaySplit(m, 0.1),
                new AdamW.Options().lr(0.05).amsgrad(true).betas(0.8, 0.9)));
    }

    @Test
    void sgdRoundTrip() throws IOException {
        resumedRunContinuesIdentically(m -> new SGD(m, new SGD.Options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)));
    }

    @Test
    void stateDictNamesTheBuffersAndScalars() {
        Map<String, Tensor> m = model(2);
        AdamW opt = new AdamW(m, new AdamW.Options().lr(0.01));
        trainStep(m, opt);
        StateDict sd = opt.stateDict();
        assertEquals(List.of("state.fc.weight.exp_avg", "state.fc.weight.exp_avg_sq", "state.fc.bias.exp_avg", "state.fc.bias.exp_avg_sq"),
                List.copyOf(sd.tensors().keySet()));
        assertEquals("AdamW", sd.metadata().get("optimizer"));
        assertEquals("1", sd.metadata().get("state.fc.bias.step"));
        assertEquals("0.01", sd.metadata().get("group.0.lr"));
        assertEquals("fc.weight\nfc.bias", sd.metadata().get("group.0.params"));
        // the buffers are the live state, not copies
        assertTrue(sd.tensors().get("state.fc.bias.exp_avg") == opt.state("fc.bias").get(AdamW.EXP_AVG));
    }

    @Test
    void aStateWithoutStepsClearsTheState() {
        Map<String, Tensor> m = model(3);
        AdamW fresh = new AdamW(m, new AdamW.Options());
        AdamW used = new AdamW(copyOf(m), new AdamW.Options());
        trainStep(m, used);
        used.loadStateDict(fresh.stateDict());
        assertNull(used.state("fc.weight"));
    }

    @Test
    void mismatchedShapeNamesTheKeyAndBothShapes() {
        Tensor small = Tensor.zeros(DType.F32, Device.CPU, 3).requiresGrad(true);
        AdamW saved = new AdamW(Map.of("w", small), new AdamW.Options());
        small.setGrad(Tensor.ones(DType.F32, Device.CPU, 3));
        saved.step();
        Tensor big = Tensor.zeros(DType.F32, Device.CPU, 4).requiresGrad(true);
        AdamW other = new AdamW(Map.of("w", big), new AdamW.Options().lr(0.5));
        var e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(saved.stateDict()));
        assertTrue(e.getMessage().contains("'state.w.exp_avg' has shape [3] but parameter 'w' has shape [4]"), e.getMessage());
        assertEquals(0.5, other.lr(), "a refused state changes nothing");
        assertNull(other.state("w"));
    }

    @Test
    void otherMismatchesAreNamed() {
        Map<String, Tensor> m = model(4);
        AdamW adam = new AdamW(m, new AdamW.Options());
        trainStep(m, adam);
        StateDict sd = adam.stateDict();

        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(copyOf(m), new SGD.Options()).loadStateDict(sd));
        assertTrue(e.getMessage().contains("saved by AdamW, not SGD"), e.getMessage());

        Map<String, Tensor> renamed = new LinkedHashMap<>();
        renamed.put("fc.weight", m.get("fc.weight").detach().copy().requiresGrad(true));
        renamed.put("head.bias", m.get("fc.bias").detach().copy().requiresGrad(true));
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(renamed, new AdamW.Options()).loadStateDict(sd));
        assertTrue(e.getMessage().contains("[fc.weight, head.bias]") && e.getMessage().contains("[fc.weight, fc.bias]"), e.getMessage());

        Map<String, Tensor> missing = new LinkedHashMap<>(sd.tensors());
        missing.remove("state.fc.bias.exp_avg_sq");
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(copyOf(m), new AdamW.Options()).loadStateDict(new StateDict(missing, sd.metadata())));
        assertTrue(e.getMessage().contains("no 'state.fc.bias.exp_avg_sq'"), e.getMessage());

        Map<String, Tensor> extra = new LinkedHashMap<>(sd.tensors());
        extra.put("state.fc.bias.momentum_buffer", Tensor.zeros(2));
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(copyOf(m), new AdamW.Options()).loadStateDict(new StateDict(extra, sd.metadata())));
        assertTrue(e.getMessage().contains("unexpected entries") && e.getMessage().contains("state.fc.bias.momentum_buffer"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(ParamGroup.of(Map.of("fc.weight", copyOf(m).get("fc.weight"))),
                        ParamGroup.of(Map.of("fc.bias", copyOf(m).get("fc.bias")))), new AdamW.Options()).loadStateDict(sd));
        assertTrue(e.getMessage().contains("1 parameter groups, this optimizer 2"), e.getMessage());
    }

    @Test
    void loadingRestoresOptionsAndTheirBuffers() {
        // the saved run used amsgrad: loading it into a plain AdamW turns amsgrad on with its running max
        Map<String, Tensor> m = model(5);
        AdamW ams = new AdamW(m, new AdamW.Options().amsgrad(true));
        trainStep(m, ams);
        AdamW plain = new AdamW(copyOf(m), new AdamW.Options());
        plain.loadStateDict(ams.stateDict());
        assertTrue(plain.groups().get(0).getBoolean("amsgrad"));
        assertArrayEquals(ams.state("fc.bias").get(AdamW.MAX_EXP_AVG_SQ).toFloatArray(),
                plain.state("fc.bias").get(AdamW.MAX_EXP_AVG_SQ).toFloatArray(), 0f);
    }
}
