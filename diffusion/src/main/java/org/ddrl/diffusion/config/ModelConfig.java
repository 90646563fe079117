package org.ddrl.diffusion.config;

import java.util.List;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.model.DiTConfig;
import org.ddrl.diffusion.model.UNetConfig;

/**
 * Which video model to train: the architecture ({@code dit} or {@code unet}), its preset ({@code tiny}, {@code small},
 * {@code base}) changed by the fields of that architecture's section, and the caption encoder trained with it. Only
 * the chosen architecture's section is used; the other may stay empty.
 */
public record ModelConfig(String arch, String preset, DiTSettings dit, UNetSettings unet, TextSettings text) {
    public static final List<String> ARCHS = List.of("dit", "unet");
    public static final List<String> PRESETS = List.of("tiny", "small", "base");

    /** The DiT this config describes, its text width taken from the text encoder's. */
    public DiTConfig ditConfig() {
        return dit.applyTo(ditPreset(), text.width());
    }

    private DiTConfig ditPreset() {
        return switch (preset) {
            case "small" -> DiTConfig.small();
            case "base" -> DiTConfig.base();
            default -> DiTConfig.tiny();
        };
    }

    /** The 3D-UNet this config describes, its text width taken from the text encoder's. */
    public UNetConfig unetConfig() {
        UNetConfig base = switch (preset) {
            case "small" -> UNetConfig.small();
            case "base" -> UNetConfig.base();
            default -> UNetConfig.tiny();
        };
        return unet.applyTo(base, text.width());
    }

    void validate(ConfigErrors e, MovingShapesConfig video) {
        boolean archOk = e.oneOf("model.arch", arch, ARCHS);
        boolean presetOk = e.oneOf("model.preset", preset, PRESETS);
        boolean textOk = e.present("model.text", text) && text.validate(e);
        if (!archOk || !presetOk || !textOk) return;
        if (arch.equals("dit") && e.present("model.dit", dit) && dit.validate(e)) {
            dit.validateWith(ditPreset(), video, e);
        }
        if (arch.equals("unet") && e.present("model.unet", unet) && unet.validate(e)) {
            unet.validateWith(unet.resolve(e, this), video, e);
        }
    }
}
