package org.ddrl.diffusion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The detector on real generated videos (where it must reach 98%), on degraded ones, and on videos without an object. */
class AttributeDetectorTest {
    /** Detects the first {@code count} videos of a split in batches; returns the accuracy and checks the mean confidence. */
    private static DetectorAccuracy measure(MovingShapesConfig config, Split split, int count, long seed) {
        MovingShapes ds = new MovingShapes(config, split, count, seed);
        List<Detection> detections = new ArrayList<>();
        List<Attributes> truth = new ArrayList<>();
        for (int start = 0; start < count; start += 32) {
            int[] idx = new int[Math.min(32, count - start)];
            for (int k = 0; k < idx.length; k++) idx[k] = start + k;
            try (Batch b = ds.batch(idx)) {
                detections.addAll(AttributeDetector.detectAll(b.videos()));
                truth.addAll(b.attributes());
            }
        }
        DetectorAccuracy acc = AttributeDetector.accuracy(detections, truth);
        double confidence = 0;
        for (Detection d : detections) confidence += d.confidence() / count;
        System.out.printf("AttributeDetector on %s %s: %s, mean confidence %.3f%n", config, split, acc, confidence);
        assertTrue(confidence > 0.6, "real videos are detected with high confidence, mean " + confidence);
        return acc;
    }

    @Test
    void tinyVideosAreRecognised() {
        for (Split split : Split.values()) {
            DetectorAccuracy acc = measure(MovingShapesConfig.TINY, split, split == Split.TRAIN ? 256 : 128, 11);
            assertTrue(acc.all() >= 0.98, split + ": " + acc);
        }
    }

    @Test
    void standardVideosAreRecognised() {
        for (Split split : Split.values()) {
            DetectorAccuracy acc = measure(MovingShapesConfig.STANDARD, split, split == Split.TRAIN ? 256 : 128, 12);
            assertTrue(acc.all() >= 0.98, split + ": " + acc);
        }
    }

    @Test
    void theSmallestAllowedSizeIsRecognised() {
        MovingShapesConfig smallest = new MovingShapesConfig(8, MovingShapesConfig.MIN_SIDE, MovingShapesConfig.MIN_SIDE);
        DetectorAccuracy acc = measure(smallest, Split.TRAIN, 128, 14);
        assertTrue(acc.all() >= 0.98, acc.toString());
    }

    @Test
    void blurAndExtraNoiseAreTolerated() {
        // Model samples are softer and noisier than the data; the judge must still read them.
        MovingShapesConfig cfg = MovingShapesConfig.STANDARD;
        MovingShapes ds = new MovingShapes(cfg, Split.TRAIN, 96, 13);
        SplittableRandom rng = new SplittableRandom(1);
        List<Detection> detections = new ArrayList<>();
        List<Attributes> truth = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            Sample s = ds.get(i);
            float[] v = blur(s.video().toFloatArray(), 3 * cfg.frames(), cfg.height(), cfg.width());
            for (int k = 0; k < v.length; k++) v[k] += (float) (0.08 * rng.nextGaussian());
            detections.add(AttributeDetector.detect(Tensor.of(v, cfg.videoShape())));
            truth.add(s.attributes());
        }
        DetectorAccuracy acc = AttributeDetector.accuracy(detections, truth);
        System.out.println("AttributeDetector on blurred, noisier standard videos: " + acc);
        assertTrue(acc.all() >= 0.9, acc.toString());
    }

    /** A 3x3 box blur of each plane (edges clamped). */
    private static float[] blur(float[] v, int planes, int h, int w) {
        float[] out = new float[v.length];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = Math.min(h - 1, Math.max(0, y + dy)), xx = Math.min(w - 1, Math.max(0, x + dx));
                            s += v[(p * h + yy) * w + xx];
                        }
                    }
                    out[(p * h + y) * w + x] = s / 9;
                }
            }
        }
        return out;
    }

    @Test
    void pureNoiseHasNoObject() {
        SplittableRandom rng = new SplittableRandom(2);
        for (MovingShapesConfig cfg : List.of(MovingShapesConfig.TINY, MovingShapesConfig.STANDARD)) {
            for (int trial = 0; trial < 10; trial++) {
                float[] uniform = new float[cfg.videoNumel()], gaussian = new float[cfg.videoNumel()];
                for (int k = 0; k < uniform.length; k++) {
                    uniform[k] = (float) rng.nextDouble(-1, 1);
                    gaussian[k] = (float) Math.max(-1, Math.min(1, 0.3 * rng.nextGaussian()));
                }
                for (float[] v : List.of(uniform, gaussian)) {
                    Detection d = AttributeDetector.detect(Tensor.of(v, cfg.videoShape()));
                    assertFalse(d.found(), cfg + ": " + d);
                    assertEquals(0, d.confidence());
                    assertTrue(d.note().startsWith("no object"), d.note());
                }
            }
        }
    }

    @Test
    void emptyBackgroundHasNoObject() {
        SplittableRandom rng = new SplittableRandom(3);
        MovingShapesConfig cfg = MovingShapesConfig.STANDARD;
        int t = cfg.frames(), h = cfg.height(), w = cfg.width();
        for (int trial = 0; trial < 10; trial++) {
            // A lit, tinted gradient with faint texture and noise, as the generator draws behind its objects.
            double grey = rng.nextDouble(0.2, 0.4), gx = rng.nextDouble(-0.1, 0.1), gy = rng.nextDouble(-0.1, 0.1);
            float[] v = new float[cfg.videoNumel()];
            for (int c = 0; c < 3; c++) {
                double tint = rng.nextDouble(-0.04, 0.04);
                for (int f = 0; f < t; f++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double p = grey + tint + gx * x / w + gy * y / h + 0.015 * Math.sin(0.4 * x + 0.3 * y) + 0.015 * rng.nextGaussian();
                            v[((c * t + f) * h + y) * w + x] = (float) (2 * p - 1);
                        }
                    }
                }
            }
            Detection d = AttributeDetector.detect(Tensor.of(v, cfg.videoShape()));
            assertFalse(d.found(), d.toString());
        }
    }

    @Test
    void aStillObjectGivesALowDirectionConfidence() {
        MovingShapesConfig cfg = MovingShapesConfig.STANDARD;
        float[] v = MovingShapes.generate(cfg, new Attributes(Colour.GREEN, Shape.SQUARE, Direction.RIGHT), 4, 0).toFloatArray();
        int t = cfg.frames(), plane = cfg.height() * cfg.width();
        // Every frame becomes frame 0: the object stands still.
        for (int c = 0; c < 3; c++) {
            for (int f = 1; f < t; f++) System.arraycopy(v, c * t * plane, v, (c * t + f) * plane, plane);
        }
        Detection d = AttributeDetector.detect(Tensor.of(v, cfg.videoShape()));
        assertTrue(d.found(), d.toString());
        assertEquals(Colour.GREEN, d.attributes().colour());
        assertEquals(Shape.SQUARE, d.attributes().shape());
        assertTrue(d.directionConfidence() < 0.2 && d.confidence() < 0.2, d.toString());
    }

    @Test
    void badShapesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributeDetector.detect(Tensor.zeros(4, 8, 16, 16)));
        assertTrue(e.getMessage().contains("[4, 8, 16, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttributeDetector.detectAll(Tensor.zeros(3, 8, 16, 16)));
        assertTrue(e.getMessage().contains("[B, 3, frames, height, width]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttributeDetector.accuracy(List.of(), List.of()));
        assertTrue(e.getMessage().contains("0 detections"), e.getMessage());
    }
}
