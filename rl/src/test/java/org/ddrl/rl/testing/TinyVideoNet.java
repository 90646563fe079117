package org.ddrl.rl.testing;

import java.util.List;
import org.ddrl.autodiff.nn.Conv3d;
import org.ddrl.autodiff.nn.Embedding;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A small text-conditioned velocity network for videos [B, 3, T, H, W]: two 3x3x3 convolutions over the state and
 * a time channel, with a learned per-caption vector added to the hidden features (caption index 0 is "", the
 * unconditional one). Deterministic, so it satisfies the RL ratio contract.
 */
public final class TinyVideoNet extends Module {
    private final List<String> captions;
    private final int hidden;

    public TinyVideoNet(List<String> captions, int hidden, long seed) {
        Generator gen = new Generator(seed);
        this.captions = List.copyOf(captions);
        this.hidden = hidden;
        registerModule("in", new Conv3d(4, hidden, 3, 1, 1, gen));
        registerModule("text", new Embedding(captions.size() + 1, hidden, gen));
        registerModule("out", new Conv3d(hidden, 3, 3, 1, 1, gen));
    }

    /** The policy over a fresh net with these captions, hidden width and init seed. */
    public static ModulePolicy<TinyVideoNet> policy(List<String> captions, int hidden, long seed) {
        return new ModulePolicy<>(new TinyVideoNet(captions, hidden, seed), () -> new TinyVideoNet(captions, hidden, seed + 1),
                TinyVideoNet::velocity, TinyVideoNet::condition);
    }

    public Tensor velocity(Tensor xt, Tensor t, Conditioning cond) {
        int b = xt.size(0);
        Tensor time = t.reshape(b, 1, 1, 1, 1).expand(b, 1, xt.size(2), xt.size(3), xt.size(4));
        Tensor h = getSubmodule("in").forward(Tensor.cat(1, xt, time.to(xt.dtype())));
        if (cond.embedding() != null) h = h.add(getSubmodule("text").forward(cond.embedding()).reshape(b, hidden, 1, 1, 1));
        return getSubmodule("out").forward(h.silu());
    }

    /** Caption indices I64 [B] (0 for ""), with all-"" as the unconditional variant. */
    public Conditioning condition(List<String> batch) {
        long[] idx = new long[batch.size()];
        for (int i = 0; i < idx.length; i++) {
            String c = batch.get(i);
            int k = captions.indexOf(c);
            if (!c.isEmpty() && k < 0) throw new IllegalArgumentException("TinyVideoNet: unknown caption '" + c + "'");
            idx[i] = c.isEmpty() ? 0 : k + 1;
        }
        Device device = getSubmodule("in").parameters().getFirst().device();
        return Conditioning.of(Tensor.of(idx, idx.length).to(device), Tensor.zeros(DType.I64, device, idx.length));
    }
}
