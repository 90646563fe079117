package org.ddrl.rl.testing;

import java.util.List;
import org.ddrl.rl.config.ConfigLoader;
import org.ddrl.rl.config.RlConfig;

/** Small configs for trainer tests: an algorithm's preset with tiny sizes, plus overrides in JSON. */
public final class Runs {
    private Runs() {}

    /** Four 8x8 frames. */
    public static final int[] SHAPE = {3, 4, 8, 8};

    public static final List<String> CAPTIONS = List.of("a red circle moving left", "a blue square moving up", "a green cross moving down");

    /**
     * The preset of {@code algorithm} with 2 prompts x 4 rollouts in micro-batches of 4, and {@code extra} JSON fields
     * (without braces, may be empty) merged on top.
     */
    public static RlConfig config(String algorithm, String extra) {
        String json = "{\"algorithm\": \"" + algorithm + "\", \"iterations\": 3, \"prompts_per_iteration\": 2, \"group_size\": 4,"
                + " \"micro_batch\": 4" + (extra.isBlank() ? "" : ", " + extra) + "}";
        return ConfigLoader.parseJson(json, "test config");
    }
}
