package org.ddrl.rl.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Videos of every arm for the same prompts and seeds, to be shown side by side: video i of each arm was generated for
 * {@code captions.get(i)} from seed {@code seeds[i]}. Each arm's videos are [N, 3, frames, height, width] in [-1, 1],
 * all of one shape.
 */
public record SampleGrid(List<String> captions, long[] seeds, Map<String, Tensor> videos) {
    public SampleGrid {
        captions = List.copyOf(captions);
        seeds = seeds.clone();
        if (captions.size() != seeds.length || captions.isEmpty()) {
            throw new IllegalArgumentException("SampleGrid: " + captions.size() + " captions and " + seeds.length + " seeds; needs the same positive number");
        }
        int[] first = null;
        for (Map.Entry<String, Tensor> e : videos.entrySet()) {
            int[] s = e.getValue().shape();
            if (s.length != 5 || s[0] != seeds.length || s[1] != 3 || (first != null && !java.util.Arrays.equals(s, first))) {
                throw new IllegalArgumentException("SampleGrid: arm '" + e.getKey() + "' has videos " + Shapes.str(s) + "; expected ["
                        + seeds.length + ", 3, frames, height, width]" + (first == null ? "" : " like the others' " + Shapes.str(first)));
            }
            first = s;
        }
        videos = Collections.unmodifiableMap(new LinkedHashMap<>(videos));
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }
}
