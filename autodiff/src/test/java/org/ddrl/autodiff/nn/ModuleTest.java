package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration, traversal names, modes, conversion and state dicts of a small nested model. */
class ModuleTest {
    /** pre-norm attention + MLP block */
    static final class Block extends Module {
        final LayerNorm norm;
        final MultiheadAttention attn;
        final FeedForward mlp;
        final Dropout drop;

        Block(Generator gen) {
            norm = registerModule("norm", new LayerNorm(8));
            attn = registerModule("attn", new MultiheadAttention(8, 2, gen));
            mlp = registerModule("mlp", new FeedForward(8, 16, FeedForward.Activation.GELU, true, gen));
            drop = registerModule("drop", new Dropout(0.1, gen));
        }

        @Override
        public Tensor forward(Tensor... in) {
            Tensor x = single(in);
            x = x.add(drop.forward(attn.forward(norm.forward(x))));
            return x.add(mlp.forward(norm.forward(x)));
        }
    }

    /** Embedding, two blocks and an output head tied to the embedding. */
    static final class Net extends Module {
        final Embedding embed;
        final ModuleList<Block> blocks;

        Net(long seed) {
            Generator gen = new Generator(seed);
            embed = registerModule("embed", new Embedding(10, 8, gen));
            blocks = registerModule("blocks", new ModuleList<>(new Block(gen), new Block(gen)));
            registerParameter("head", embed.weight());
            registerBuffer("step", Tensor.zeros(DType.I64, 1));
            registerBuffer("scratch", Tensor.zeros(DType.F32, 2), false);
        }

        @Override
        public Tensor forward(Tensor... in) {
            Tensor x = embed.forward(single(in));
            for (Block b : blocks) x = b.forward(x);
            return x.matmul(param("head").t());
        }
    }

    private static final Tensor TOKENS = Tensor.of(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);

    @Test
    void namesAreDottedPathsInRegistrationOrder() {
        Net net = new Net(1);
        List<String> names = List.copyOf(net.namedParameters().keySet());
        // as PyTorch: a module's own parameters before its children's, so the tied weight is found first as "head"
        assertEquals("head", names.get(0));
        assertEquals("blocks.0.norm.weight", names.get(1));
        assertTrue(names.contains("blocks.1.attn.q_proj.weight") && names.contains("blocks.0.mlp.fc2.bias"), names.toString());
        assertFalse(names.contains("embed.weight"), "a tied parameter is listed once, under its first name");
        assertSame(net.embed.weight(), net.getParameter("head"));
        assertSame(net.getSubmodule("blocks.1.attn.k_proj"), ((Block) net.blocks.get(1)).attn.getSubmodule("k_proj"));
        long perBlock = 2 * 8 + 4 * (8 * 8 + 8) + (8 * 16 + 16) + (16 * 8 + 8);
        assertEquals(10 * 8 + 2 * perBlock, net.numParameters());
        assertEquals(net.numParameters(), net.parameters().stream().mapToLong(Tensor::numel).sum());
        assertEquals(List.of("step", "scratch"), List.copyOf(net.namedBuffers().keySet()));
        assertEquals(List.of("embed", "blocks"), List.copyOf(net.namedChildren().keySet()));
        assertTrue(net.namedModules().containsKey("blocks.0.attn.out_proj"));
        assertTrue(net.toString().contains("(q_proj): Linear(in_features=8, out_features=8, bias=true)"), net.toString());

        var e = assertThrows(IllegalArgumentException.class, () -> net.getParameter("blocks.0.attn.qkv.weight"));
        assertTrue(e.getMessage().contains("qkv") && e.getMessage().contains("q_proj"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.getParameter("blocks.0.norm.gamma"));
    }

    @Test
    void registrationRejectsDuplicatesAndDots() {
        Module m = new Module() {};
        m.registerParameter("w", Tensor.zeros(2));
        var dup = assertThrows(IllegalArgumentException.class, () -> m.registerBuffer("w", Tensor.zeros(2)));
        assertTrue(dup.getMessage().contains("\"w\" is already registered"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.registerModule("a.b", new Linear(1, 1, new Generator(1))));
        assertThrows(IllegalArgumentException.class, () -> m.registerParameter("i", Tensor.zeros(DType.I64, 2)));
        assertThrows(UnsupportedOperationException.class, () -> m.forward(Tensor.zeros(1)));
    }

    @Test
    void trainAndEvalReachEveryModule() {
        Net net = new Net(2);
        assertTrue(net.modules().stream().allMatch(Module::isTraining));
        net.eval();
        assertTrue(net.modules().stream().noneMatch(Module::isTraining));
        Tensor a = net.forward(TOKENS), b = net.forward(TOKENS);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0, "no dropout in eval");
        net.train();
        assertTrue(((Block) net.blocks.get(1)).drop.isTraining());
    }

    @Test
    void zeroGradAndFreezing() {
        Net net = new Net(3);
        net.forward(TOKENS).pow(2).mean().backward();
        for (var e : net.namedParameters().entrySet()) assertTrue(e.getValue().grad() != null, e.getKey() + " got a gradient");
        Tensor g = net.embed.weight().grad();
        net.zeroGrad();
        assertSame(g, net.embed.weight().grad(), "zeroGrad() keeps the gradient's memory");
        assertEquals(0, g.abs().max().item(), 0);
        net.zeroGrad(true);
        assertNull(net.embed.weight().grad());

        net.blocks.get(0).requiresGrad(false);
        net.forward(TOKENS).pow(2).mean().backward();
        assertNull(net.getParameter("blocks.0.attn.q_proj.weight").grad());
        assertTrue(net.getParameter("blocks.1.attn.q_proj.weight").grad() != null);
    }

    @Test
    void toDTypeConvertsFloatingStateAndKeepsTies() {
        Net net = new Net(4);
        net.blocks.get(1).norm.requiresGrad(false);
        net.eval();
        Tensor before = net.forward(TOKENS);
        Tensor oldWeight = net.embed.weight();
        net.to(DType.F64);
        for (Tensor p : net.parameters()) assertEquals(DType.F64, p.dtype());
        assertEquals(DType.I64, net.getBuffer("step").dtype(), "integer buffers keep their dtype");
        assertEquals(DType.F64, net.getBuffer("scratch").dtype());
        assertNotSame(oldWeight, net.embed.weight());
        assertSame(net.embed.weight(), net.getParameter("head"), "still tied");
        assertFalse(net.getParameter("blocks.1.norm.weight").requiresGrad(), "frozen stays frozen");
        assertTrue(net.getParameter("blocks.0.norm.weight").requiresGrad() && net.embed.weight().isLeaf());
        Tensor after = net.forward(TOKENS);
        assertEquals(DType.F64, after.dtype());
        assertArrayEquals(before.toDoubleArray(), after.toDoubleArray(), 1e-4, "the same function, in more precision");
    }

    @Test
    void stateDictHoldsParametersAndPersistentBuffers() {
        Net net = new Net(5);
        Map<String, Tensor> sd = net.stateDict();
        List<String> keys = List.copyOf(sd.keySet());
        assertEquals(List.of("head", "step", "embed.weight", "blocks.0.norm.weight"), keys.subList(0, 4),
                "own parameters, own persistent buffers, then each child's; a tied weight under each of its names");
        assertTrue(sd.containsKey("blocks.1.mlp.fc1.weight"));
        assertFalse(sd.containsKey("scratch"));
        assertSame(net.embed.weight().storage(), sd.get("embed.weight").storage(), "views of the live data");
        assertFalse(sd.get("embed.weight").requiresGrad());
    }

    @Test
    void loadStateDictRoundTrip() {
        Net a = new Net(6), b = new Net(7);
        a.eval();
        b.eval();
        assertFalse(java.util.Arrays.equals(a.forward(TOKENS).toFloatArray(), b.forward(TOKENS).toFloatArray()));
        Tensor bWeight = b.embed.weight();
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        assertArrayEquals(a.forward(TOKENS).toFloatArray(), b.forward(TOKENS).toFloatArray(), 0);
        assertSame(bWeight, b.embed.weight(), "loaded in place: an optimizer's references stay valid");
    }

    @Test
    void loadStateDictNamesEveryProblem() {
        Net a = new Net(8), b = new Net(9);
        float[] original = b.embed.weight().toFloatArray();

        LinkedHashMap<String, Tensor> missing = a.stateDict();
        missing.remove("blocks.0.attn.v_proj.bias");
        var e1 = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(missing, true));
        assertTrue(e1.getMessage().contains("missing keys [blocks.0.attn.v_proj.bias]"), e1.getMessage());

        LinkedHashMap<String, Tensor> extra = a.stateDict();
        extra.put("blocks.2.norm.weight", Tensor.ones(8));
        var e2 = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(extra, true));
        assertTrue(e2.getMessage().contains("unexpected keys [blocks.2.norm.weight]"), e2.getMessage());

        LinkedHashMap<String, Tensor> wrongShape = a.stateDict();
        wrongShape.put("blocks.1.mlp.fc1.weight", Tensor.zeros(16, 9));
        var e3 = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrongShape, false));
        assertTrue(e3.getMessage().contains("size mismatch for blocks.1.mlp.fc1.weight: the state has shape [16, 9], the model has [16, 8]"),
                e3.getMessage());

        LinkedHashMap<String, Tensor> wrongType = a.stateDict();
        wrongType.put("embed.weight", wrongType.get("embed.weight").to(DType.BF16));
        var e4 = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrongType, true));
        assertTrue(e4.getMessage().contains("dtype mismatch for embed.weight: the state has BF16, the model has F32"), e4.getMessage());
        assertArrayEquals(original, b.embed.weight().toFloatArray(), 0, "a failed load changes nothing");

        // non-strict: missing and unexpected keys are reported, the rest is loaded
        missing.put("something.else", Tensor.zeros(1));
        Module.LoadResult r = b.loadStateDict(missing, false);
        assertEquals(List.of("blocks.0.attn.v_proj.bias"), r.missingKeys());
        assertEquals(List.of("something.else"), r.unexpectedKeys());
        assertArrayEquals(a.embed.weight().toFloatArray(), b.embed.weight().toFloatArray(), 0);
    }

    @Test
    void saveAndLoadSafetensors(@TempDir Path dir) throws Exception {
        Net a = new Net(10), b = new Net(11);
        a.eval();
        b.eval();
        try (var g = org.ddrl.tensor.GradMode.noGrad()) {
            a.getBuffer("step").fill(42);
        }
        Path file = dir.resolve("net.safetensors");
        a.save(file, Map.of("note", "test"));
        Map<String, Tensor> onDisk = org.ddrl.tensor.io.Safetensors.load(file);
        assertEquals(a.stateDict().keySet(), onDisk.keySet());
        b.load(file);
        assertArrayEquals(a.forward(TOKENS).toFloatArray(), b.forward(TOKENS).toFloatArray(), 0);
        assertEquals(42, b.getBuffer("step").itemLong());
        assertSame(b.embed.weight(), b.getParameter("head"), "ties survive a load");

        // a file from a different architecture: the mismatch is reported, not half-loaded
        Linear other = new Linear(8, 10, new Generator(1));
        Path wrong = dir.resolve("linear.safetensors");
        other.save(wrong);
        var e = assertThrows(IllegalArgumentException.class, () -> b.load(wrong));
        assertTrue(e.getMessage().contains("missing keys [head, step, embed.weight") && e.getMessage().contains("unexpected keys [bias, weight]"),
                e.getMessage());
        Module.LoadResult r = new Linear(8, 10, false, new Generator(2)).load(wrong, false);
        assertEquals(List.of("bias"), r.unexpectedKeys());
    }
}
