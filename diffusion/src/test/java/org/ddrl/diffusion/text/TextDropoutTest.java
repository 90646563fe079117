package org.ddrl.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class TextDropoutTest {
    private static final List<String> CAPTIONS = Collections.nCopies(4000, "a red circle");

    @Test
    void dropsAboutTheRequestedFractionReproducibly() {
        List<String> a = TextDropout.apply(CAPTIONS, 0.1, new Generator(7));
        long dropped = a.stream().filter(String::isEmpty).count();
        // binomial(4000, 0.1): std 19, so 340 .. 460 is more than 3 std either side
        assertTrue(dropped > 340 && dropped < 460, "dropped " + dropped + " of 4000");
        assertEquals(a, TextDropout.apply(CAPTIONS, 0.1, new Generator(7)));
        assertTrue(a.stream().allMatch(c -> c.isEmpty() || c.equals("a red circle")));
    }

    @Test
    void extremesKeepOrDropEverything() {
        assertEquals(CAPTIONS, TextDropout.apply(CAPTIONS, 0, new Generator(1)));
        assertTrue(TextDropout.apply(CAPTIONS, 1, new Generator(1)).stream().allMatch(String::isEmpty));
        assertEquals(List.of(), TextDropout.apply(List.of(), 0.5, new Generator(1)));
        var e = assertThrows(IllegalArgumentException.class, () -> TextDropout.apply(CAPTIONS, 1.5, new Generator(1)));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }
}
