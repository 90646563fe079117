package org.ddrl.diffusion.config;

import java.util.List;
import org.ddrl.autodiff.optim.EmaProfile;
import org.ddrl.autodiff.optim.PowerFunction;

/**
 * The moving average of the weights that sampling uses.
 *
 * @param profile  {@code decay} (a constant decay), {@code warmup_decay} (min(decay, (1 + t) / (10 + t)) at update t)
 *                 or {@code power} (EDM2's power-function average)
 * @param decay    the decay of the first two profiles
 * @param sigmaRel the relative width of the power profile
 */
public record EmaConfig(String profile, double decay, double sigmaRel) {
    public static final List<String> PROFILES = List.of("decay", "warmup_decay", "power");

    public EmaProfile emaProfile() {
        return switch (profile) {
            case "decay" -> EmaProfile.decay(decay);
            case "power" -> EmaProfile.power(sigmaRel);
            default -> EmaProfile.warmupDecay(decay);
        };
    }

    void validate(ConfigErrors e) {
        if (!e.oneOf("train.ema.profile", profile, PROFILES)) return;
        if (profile.equals("power")) {
            if (!(sigmaRel > 0 && sigmaRel <= PowerFunction.MAX_SIGMA_REL)) {
                e.add("train.ema.sigma_rel", "must be in (0, " + PowerFunction.MAX_SIGMA_REL + "], got " + ConfigErrors.num(sigmaRel));
            }
        } else {
            e.inRange("train.ema.decay", decay, 0, 1, false);
        }
    }
}
