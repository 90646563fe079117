package org.ddrl.diffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttributesTest {
    @Test
    void captionsReadNaturallyAndParseBack() {
        assertEquals("a red circle moving left", new Attributes(Colour.RED, Shape.CIRCLE, Direction.LEFT).caption());
        assertEquals("an orange cross moving up", new Attributes(Colour.ORANGE, Shape.CROSS, Direction.UP).caption());
        Set<String> captions = new HashSet<>();
        for (Attributes a : Attributes.all()) {
            assertEquals(a, Attributes.parse(a.caption()));
            captions.add(a.caption());
        }
        assertEquals(Colour.values().length * Shape.values().length * Direction.values().length, captions.size());
    }

    @Test
    void vocabularyCoversEveryCaptionWord() {
        List<String> vocab = Attributes.vocabulary();
        assertEquals(vocab.size(), new HashSet<>(vocab).size(), "no duplicates");
        Set<String> used = new HashSet<>();
        for (Attributes a : Attributes.all()) used.addAll(List.of(a.caption().split(" ")));
        assertEquals(used, new HashSet<>(vocab));
    }

    @Test
    void otherTextIsNotACaption() {
        assertNull(Attributes.tryParse("a red circle"));
        assertNull(Attributes.tryParse("an red circle moving left"), "wrong article");
        assertNull(Attributes.tryParse("a purple circle moving left"));
        assertNull(Attributes.tryParse(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attributes.parse("a red blob moving left"));
        assertTrue(e.getMessage().contains("'a red blob moving left'") && e.getMessage().contains("triangle"), e.getMessage());
    }

    @Test
    void hueAndFillSeparateTheClasses() {
        for (Colour a : Colour.values()) {
            for (Colour b : Colour.values()) {
                if (a.ordinal() < b.ordinal() && a != Colour.WHITE && b != Colour.WHITE) {
                    double d = Math.abs(a.hue() - b.hue());
                    assertTrue(Math.min(d, 360 - d) >= 25, a + " and " + b + " are too close in hue");
                }
            }
        }
        for (Shape s : Shape.values()) {
            float[] alpha = new float[64 * 64];
            double area = Raster.draw(s, 32, 32, 24, 24, 64, 64, alpha);
            assertEquals(s.fill(), area / (48.0 * 48), 0.01, s + ": drawn area matches its fill ratio");
        }
    }
}
