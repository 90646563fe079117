package org.ddrl.rl.train;

import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.Dataset;

/** Prompts from a video dataset: each video's caption, paired with the video itself as the anchor (DDRL with real data). */
public final class DatasetPrompts implements PromptSource {
    private final Dataset dataset;

    public DatasetPrompts(Dataset dataset) {
        if (dataset.size() < 1) throw new IllegalArgumentException("DatasetPrompts: the dataset is empty");
        this.dataset = dataset;
    }

    @Override
    public int size() {
        return dataset.size();
    }

    @Override
    public boolean hasAnchors() {
        return true;
    }

    @Override
    public Prompts get(int[] indices, boolean withAnchors) {
        Batch b = dataset.batch(indices);
        for (int i = 0; i < b.size(); i++) {
            if (b.captions().get(i).isEmpty()) {
                throw new IllegalArgumentException("DatasetPrompts: video " + indices[i] + " has no caption; RL needs a prompt per video");
            }
        }
        return new Prompts(b.captions(), withAnchors ? b.videos() : null);
    }
}
