package org.ddrl.rl.judge;

import java.util.SplittableRandom;

/**
 * Appearance changes of a real video, the second task the {@link FeatureNet} learns (which of these, if any, was
 * applied): they are the ways a reward hacker leaves the data manifold while keeping the prompt's attributes (more
 * vivid colour, harsher contrast, texture noise, ...), so features trained to tell them apart move when a policy
 * drifts that way, where features trained only on attributes would stay put. Each kind draws its strength at random
 * from a range that starts well inside what a viewer would notice. Values stay clamped to [-1, 1].
 */
enum Distortion {
    NONE,
    /** Each pixel's distance from its own grey times 1.4 to 2.5. */
    SATURATE,
    /** Each pixel's distance from its own grey times 0.2 to 0.6. */
    DESATURATE,
    /** Every value shifted by +-0.15 to 0.4. */
    BRIGHTNESS,
    /** Each value's distance from the video's mean times 1.4 to 2.2. */
    CONTRAST,
    /** Independent Gaussian noise of std 0.08 to 0.25 on every value. */
    NOISE,
    /** A 3x3 box blur of every frame. */
    BLUR;

    /** Applies this distortion to the video stored at data[at ..] as [3, frames, height, width]. */
    void apply(float[] data, int at, int frames, int height, int width, SplittableRandom random) {
        int plane = frames * height * width, n = 3 * plane;
        switch (this) {
            case NONE -> { }
            case SATURATE -> chroma(data, at, plane, random.nextDouble(1.4, 2.5));
            case DESATURATE -> chroma(data, at, plane, random.nextDouble(0.2, 0.6));
            case BRIGHTNESS -> {
                double shift = random.nextDouble(0.15, 0.4) * (random.nextBoolean() ? 1 : -1);
                for (int i = at; i < at + n; i++) data[i] = clamp(data[i] + shift);
            }
            case CONTRAST -> {
                double mean = 0, k = random.nextDouble(1.4, 2.2);
                for (int i = at; i < at + n; i++) mean += data[i];
                mean /= n;
                for (int i = at; i < at + n; i++) data[i] = clamp(mean + k * (data[i] - mean));
            }
            case NOISE -> {
                double std = random.nextDouble(0.08, 0.25);
                for (int i = at; i < at + n; i++) data[i] = clamp(data[i] + std * gaussian(random));
            }
            case BLUR -> blur(data, at, 3 * frames, height, width);
        }
    }

    private static void chroma(float[] data, int at, int plane, double k) {
        for (int p = at; p < at + plane; p++) {
            double grey = (data[p] + data[p + plane] + data[p + 2 * plane]) / 3.0;
            for (int c = 0; c < 3; c++) data[p + c * plane] = clamp(grey + k * (data[p + c * plane] - grey));
        }
    }

    /** Box blur of each of {@code images} height x width planes; borders average the pixels that exist. */
    private static void blur(float[] data, int at, int images, int height, int width) {
        float[] copy = new float[height * width];
        for (int img = 0; img < images; img++) {
            int base = at + img * height * width;
            System.arraycopy(data, base, copy, 0, copy.length);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    int count = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy, xx = x + dx;
                            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                            sum += copy[yy * width + xx];
                            count++;
                        }
                    }
                    data[base + y * width + x] = (float) (sum / count);
                }
            }
        }
    }

    private static float clamp(double v) {
        return (float) Math.max(-1, Math.min(1, v));
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
