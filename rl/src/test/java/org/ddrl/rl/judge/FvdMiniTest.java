package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FvdMiniTest {
    @Test
    void nearZeroForTwoSamplesOfRealVideosAndGrowingWithAShift() {
        FvdMini fvd = new FvdMini(FeatureNetTraining.pretrained(Videos.CONFIG), Videos.real(Split.VALIDATION, 192, 1));
        Tensor other = Videos.real(Split.VALIDATION, 192, 2);
        double same = fvd.score(other);
        double[] shifted = new double[4];
        double[] offsets = {0.05, 0.15, 0.3, 0.6};
        for (int i = 0; i < offsets.length; i++) shifted[i] = fvd.score(other.add(offsets[i]).clamp(-1, 1));
        double vivid = fvd.score(Videos.saturate(other, 2));
        System.out.printf("FVD-mini of 192 videos: another sample of real videos %.2f; brightness shifted by %s: %s; "
                + "over-coloured (chroma x2) %.2f%n", same, Arrays.toString(offsets), Arrays.toString(shifted), vivid);
        for (int i = 1; i < shifted.length; i++) assertTrue(shifted[i] > shifted[i - 1], "grows with the shift: " + Arrays.toString(shifted));
        // Like FVD, FVD-mini of a finite sample is biased above 0; "near zero" is relative to what a shift does.
        assertTrue(same < 0.1 * shifted[3], "same distribution " + same + " vs shifted " + shifted[3]);
        assertTrue(vivid > 5 * same, "over-coloured " + vivid + " vs same " + same);
    }

    @Test
    void theRealSideIsAFitOfTheNetworksFeatures() {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        Tensor real = Videos.real(Split.VALIDATION, 64, 1);
        FvdMini fvd = new FvdMini(net, real);
        assertEquals(FeatureNet.FEATURES, fvd.real().dims());
        assertEquals(64, fvd.real().count());
        assertEquals(0, fvd.score(real), 1e-6, "a sample against its own fit");
    }
}
