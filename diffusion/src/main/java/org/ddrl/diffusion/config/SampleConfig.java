package org.ddrl.diffusion.config;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.Split;

/**
 * The samples drawn with the EMA weights, at the end of training and by {@code ddrl sample}.
 *
 * @param prompts   captions, or the set names {@code train}, {@code held_out} and {@code all} for every caption of that
 *                  set (in {@link Attributes#all()} order)
 * @param perPrompt videos per prompt
 * @param steps     Euler steps of the flow ODE
 * @param cfg       classifier-free guidance scale; 1 turns guidance off
 * @param shift     timestep shift of the sampling grid
 * @param batchSize videos denoised together
 * @param seed      seed of the initial noise
 */
public record SampleConfig(List<String> prompts, int perPrompt, int steps, double cfg, double shift, int batchSize, long seed) {
    public static final List<String> PROMPT_SETS = List.of("train", "held_out", "all");

    /** The attributes of every prompt, the set names expanded. */
    public List<Attributes> promptAttributes() {
        List<Attributes> out = new ArrayList<>();
        for (String p : prompts) {
            switch (p) {
                case "train" -> out.addAll(MovingShapes.combinations(Split.TRAIN));
                case "held_out" -> out.addAll(MovingShapes.combinations(Split.HELD_OUT));
                case "all" -> out.addAll(Attributes.all());
                default -> out.add(Attributes.parse(p));
            }
        }
        return out;
    }

    /** Checks every field, as part of a whole config does; throws a {@link ConfigException} naming {@code source}. */
    public SampleConfig validate(String source) {
        ConfigErrors e = new ConfigErrors();
        validate(e);
        e.throwIfAny(source);
        return this;
    }

    void validate(ConfigErrors e) {
        if (prompts == null || prompts.isEmpty()) {
            e.add("sample.prompts", "must list at least one caption or set name " + PROMPT_SETS);
        } else {
            for (int i = 0; i < prompts.size(); i++) {
                String p = prompts.get(i);
                if (p == null || !PROMPT_SETS.contains(p) && Attributes.tryParse(p) == null) {
                    e.add("sample.prompts[" + i + "]", (p == null ? "null" : "\"" + p + "\"") + " is neither a set name " + PROMPT_SETS
                            + " nor a caption of the form 'a <colour> <shape> moving <direction>'");
                }
            }
        }
        e.atLeast("sample.per_prompt", perPrompt, 1);
        e.atLeast("sample.steps", steps, 1);
        e.finite("sample.cfg", cfg);
        e.positive("sample.shift", shift);
        e.atLeast("sample.batch_size", batchSize, 1);
    }
}
