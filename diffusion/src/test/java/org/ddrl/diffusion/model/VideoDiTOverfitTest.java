package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class VideoDiTOverfitTest {
    @Test
    void tinyDiTMemorizesFourCaptionedVideos() {
        Generator gen = new Generator(1);
        VideoDiT dit = new VideoDiT(DiTConfig.tiny(), gen);
        double[] losses = OverfitTesting.train(dit, 4, 4, 16, 60, 5e-3, gen);
        System.out.println("tiny DiT losses " + Arrays.toString(losses));
        double first = losses[0], last = losses[losses.length - 1];
        assertTrue(last < first / 5, "loss went from " + first + " to " + last);
    }
}
