package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class UNet3DOverfitTest {
    @Test
    void tinyUNetMemorizesTwoCaptionedVideos() {
        Generator gen = new Generator(2);
        UNet3D unet = new UNet3D(UNetConfig.tiny(), gen);
        double[] losses = OverfitTesting.train(unet, 2, 4, 8, 70, 2e-3, gen);
        System.out.println("tiny UNet losses " + Arrays.toString(losses));
        double first = losses[0], last = losses[losses.length - 1];
        assertTrue(last < first / 5, "loss went from " + first + " to " + last);
    }
}
