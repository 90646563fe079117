package org.ddrl.diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ddrl.tensor.DType;
import org.junit.jupiter.api.Test;

class MovingShapesTest {
    private static final MovingShapesConfig TINY = MovingShapesConfig.TINY;

    @Test
    void sameSeedSameVideoWhateverWasGeneratedBefore() {
        MovingShapes a = new MovingShapes(TINY, Split.TRAIN, 50, 123);
        MovingShapes b = new MovingShapes(TINY, Split.TRAIN, 50, 123);
        float[] direct = a.get(37).video().toFloatArray();
        for (int i = 0; i < 37; i++) b.get(i);
        assertArrayEquals(direct, b.get(37).video().toFloatArray());
        Batch batch = b.batch(new int[] {5, 37, 5});
        int n = TINY.videoNumel();
        float[] all = batch.videos().toFloatArray();
        assertArrayEquals(direct, Arrays.copyOfRange(all, n, 2 * n), "a batch holds the same video as get");
        assertArrayEquals(Arrays.copyOfRange(all, 0, n), Arrays.copyOfRange(all, 2 * n, 3 * n));
        assertFalse(Arrays.equals(direct, new MovingShapes(TINY, Split.TRAIN, 50, 124).get(37).video().toFloatArray()),
                "another seed, another video");
    }

    @Test
    void videosAreF32InRangeAndNotFlat() {
        MovingShapes ds = new MovingShapes(MovingShapesConfig.STANDARD, Split.TRAIN, 8, 1);
        for (int i = 0; i < ds.size(); i++) {
            Sample s = ds.get(i);
            assertEquals(DType.F32, s.video().dtype());
            assertArrayEquals(new int[] {3, 16, 32, 32}, s.video().shape());
            float[] v = s.video().toFloatArray();
            double min = 1, max = -1;
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertTrue(min >= -1 && max <= 1, "values in [-1, 1], got [" + min + ", " + max + "]");
            // A corner of the first frame holds background only: it must vary (gradient, texture, noise).
            double sum = 0, sq = 0;
            int n = 0;
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    for (int corner = 0; corner < 2; corner++) {
                        float p = v[y * 32 + (corner == 0 ? x : 31 - x)];
                        sum += p;
                        sq += p * p;
                        n++;
                    }
                }
            }
            double std = Math.sqrt(sq / n - (sum / n) * (sum / n));
            assertTrue(std > 0.01, "background std " + std + " in video " + i);
        }
    }

    @Test
    void attributesAndCaptionsAgree() {
        MovingShapes ds = new MovingShapes(TINY, Split.HELD_OUT, 40, 9);
        List<Attributes> combos = MovingShapes.combinations(Split.HELD_OUT);
        for (int i = 0; i < ds.size(); i++) {
            Sample s = ds.get(i);
            assertEquals(ds.attributes(i), s.attributes());
            assertEquals(combos.get(i % combos.size()), s.attributes(), "combinations cycle in order");
            assertEquals(s.attributes().caption(), s.caption());
        }
        Batch b = ds.batch(new int[] {3, 4});
        assertEquals(List.of(ds.get(3).caption(), ds.get(4).caption()), b.captions());
        assertEquals(List.of(ds.attributes(3), ds.attributes(4)), b.attributes());
    }

    @Test
    void heldOutCombinationsNeverReachTraining() {
        List<Attributes> train = MovingShapes.combinations(Split.TRAIN), held = MovingShapes.combinations(Split.HELD_OUT);
        assertEquals(16, held.size());
        assertEquals(Attributes.all().size(), train.size() + held.size());
        assertEquals(train, MovingShapes.combinations(Split.VALIDATION));
        Set<Attributes> heldSet = new HashSet<>(held);
        for (Attributes a : train) assertFalse(heldSet.contains(a));
        for (Split split : List.of(Split.TRAIN, Split.VALIDATION)) {
            MovingShapes ds = new MovingShapes(TINY, split, 1000, 3);
            for (int i = 0; i < ds.size(); i++) assertFalse(MovingShapes.isHeldOut(ds.attributes(i)), split + " video " + i);
        }
        // Every pair of attribute values still appears in training, so held-out prompts test composition only.
        Set<String> pairs = new HashSet<>();
        for (Attributes a : train) {
            pairs.add(a.colour() + "/" + a.shape());
            pairs.add(a.colour() + "/" + a.direction());
            pairs.add(a.shape() + "/" + a.direction());
        }
        int c = Colour.values().length, s = Shape.values().length, d = Direction.values().length;
        assertEquals(c * s + c * d + s * d, pairs.size());
    }

    @Test
    void splitsDrawDistinctVideos() {
        float[] train = new MovingShapes(TINY, Split.TRAIN, 1, 5).get(0).video().toFloatArray();
        float[] validation = new MovingShapes(TINY, Split.VALIDATION, 1, 5).get(0).video().toFloatArray();
        float[] direct = MovingShapes.generate(TINY, MovingShapes.combinations(Split.TRAIN).get(0), 5, 0).toFloatArray();
        assertFalse(Arrays.equals(train, validation));
        assertFalse(Arrays.equals(train, direct));
        assertArrayEquals(direct, MovingShapes.generate(TINY, MovingShapes.combinations(Split.TRAIN).get(0), 5, 0).toFloatArray());
    }

    @Test
    void badConfigsAndIndicesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MovingShapesConfig(8, 11, 16));
        assertTrue(e.getMessage().contains("11x16") && e.getMessage().contains("12x12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MovingShapesConfig(3, 16, 16));
        assertTrue(e.getMessage().contains("3 frames"), e.getMessage());
        MovingShapes ds = new MovingShapes(TINY, Split.TRAIN, 3, 0);
        IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class, () -> ds.get(3));
        assertTrue(o.getMessage().contains("index 3") && o.getMessage().contains("3 videos"), o.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.batch(new int[] {0, -1}));
    }
}
