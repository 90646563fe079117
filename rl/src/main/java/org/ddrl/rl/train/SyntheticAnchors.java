package org.ddrl.rl.train;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.InitialNoise;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.rl.policy.Policy;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * DDRL's synthetic anchor data: one video per prompt of a fixed pool, sampled once from the base model before training
 * (the DDRL paper regularizes its image model with such samples when no real data is at hand). As a prompt source it
 * serves the pool's captions paired with these videos.
 */
public final class SyntheticAnchors implements PromptSource {
    private final List<String> captions;
    private final Tensor videos;

    private SyntheticAnchors(List<String> captions, Tensor videos) {
        this.captions = List.copyOf(captions);
        this.videos = videos;
    }

    /**
     * Samples one video for each of the first {@code pool} prompts of {@code source} from {@code base}, in
     * micro-batches. Call it with no scope open (or in one that outlives training): the videos are kept.
     *
     * @param wrap        how rollouts wrap the model (guidance), applied here alike
     * @param sampleShape one sample's shape, e.g. [3, T, H, W]
     */
    public static SyntheticAnchors sample(PromptSource source, int pool, Policy base, UnaryOperator<VelocityModel> wrap, Sampler sampler,
                                          int[] sampleShape, int microBatch, Generator gen) {
        if (pool < 1 || pool > source.size()) {
            throw new IllegalArgumentException("SyntheticAnchors: the pool must hold 1 to " + source.size() + " prompts (the prompt source's size), got "
                    + pool);
        }
        if (microBatch < 1) throw new IllegalArgumentException("SyntheticAnchors: microBatch must be >= 1, got " + microBatch);
        int[] all = new int[pool];
        Arrays.setAll(all, i -> i);
        List<String> captions = source.get(all, false).captions();
        Device device = base.parameters().values().iterator().next().device();
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = pool;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor videos = Tensor.zeros(DType.F32, device, shape);
        VelocityModel model = wrap.apply(base.model());
        try (var noGrad = GradMode.noGrad()) {
            for (int start = 0; start < pool; start += microBatch) {
                int n = Math.min(microBatch, pool - start);
                try (Scope scope = Scope.open()) {
                    Tensor noise = InitialNoise.independent(gen, n, 1, sampleShape).to(device);
                    Conditioning cond = base.condition(captions.subList(start, start + n));
                    videos.narrow(0, start, n).copyFrom(sampler.sample(model, noise, cond, gen).sample());
                }
            }
        }
        return new SyntheticAnchors(captions, videos);
    }

    @Override
    public int size() {
        return captions.size();
    }

    @Override
    public boolean hasAnchors() {
        return true;
    }

    @Override
    public Prompts get(int[] indices, boolean withAnchors) {
        String[] out = new String[indices.length];
        long[] idx = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= captions.size()) {
                throw new IndexOutOfBoundsException("SyntheticAnchors: index " + indices[i] + " of " + captions.size());
            }
            out[i] = captions.get(indices[i]);
            idx[i] = indices[i];
        }
        Tensor anchors = withAnchors ? videos.indexSelect(0, Tensor.of(idx, idx.length).to(videos.device())) : null;
        return new Prompts(List.of(out), anchors);
    }

    /** All anchor videos, [pool, ...]. */
    public Tensor videos() {
        return videos;
    }
}
