package org.ddrl.rl.algo;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * DDPO's per-prompt reward statistics (ddpo_pytorch/stat_tracking.py): each prompt keeps a buffer of its last
 * {@code bufferSize} rewards across iterations. For a batch, each prompt's new rewards are appended to its buffer
 * first; then, if the buffer holds fewer than {@code minCount} rewards, the prompt's advantages use the mean and
 * population std of the <em>whole batch</em>, else those of its buffer: {@code A = (r - mean) / (std + eps)}, eps 1e-6.
 */
public final class PerPromptStatTracker {
    private final int bufferSize;
    private final int minCount;
    private final double eps;
    private final Map<String, ArrayDeque<Double>> buffers = new HashMap<>();

    public PerPromptStatTracker(int bufferSize, int minCount, double eps) {
        if (bufferSize < 1) throw new IllegalArgumentException("PerPromptStatTracker: bufferSize must be >= 1, got " + bufferSize);
        if (minCount < 0) throw new IllegalArgumentException("PerPromptStatTracker: minCount must be >= 0, got " + minCount);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("PerPromptStatTracker: eps must be finite and >= 0, got " + eps);
        this.bufferSize = bufferSize;
        this.minCount = minCount;
        this.eps = eps;
    }

    /** Advantages of one batch; {@code prompts.get(i)} is the prompt of {@code rewards[i]}. Updates the buffers. */
    public double[] update(List<String> prompts, double[] rewards) {
        if (prompts.size() != rewards.length) {
            throw new IllegalArgumentException("PerPromptStatTracker.update: " + rewards.length + " rewards but " + prompts.size() + " prompts");
        }
        double batchMean = Advantages.mean(rewards);
        double batchStd = Advantages.std(rewards, batchMean, false);
        double[] out = new double[rewards.length];
        for (String prompt : new LinkedHashSet<>(prompts)) {
            ArrayDeque<Double> buffer = buffers.computeIfAbsent(prompt, p -> new ArrayDeque<>());
            for (int i = 0; i < rewards.length; i++) {
                if (!prompts.get(i).equals(prompt)) continue;
                if (buffer.size() == bufferSize) buffer.removeFirst();
                buffer.addLast(rewards[i]);
            }
            double mean = batchMean, std = batchStd;
            if (buffer.size() >= minCount) {
                double[] b = buffer.stream().mapToDouble(Double::doubleValue).toArray();
                mean = Advantages.mean(b);
                std = Advantages.std(b, mean, false);
            }
            for (int i = 0; i < rewards.length; i++) if (prompts.get(i).equals(prompt)) out[i] = (rewards[i] - mean) / (std + eps);
        }
        return out;
    }

    /** Rewards buffered for a prompt (0 if never seen). */
    public int count(String prompt) {
        ArrayDeque<Double> b = buffers.get(prompt);
        return b == null ? 0 : b.size();
    }
}
