package org.ddrl.diffusion.data;

import java.util.Arrays;

/**
 * The object of a video separated from its background, frame by frame. Each frame's background is modelled as a
 * plane per colour channel (a level and a linear gradient): first the median level, then least-squares planes
 * refitted on the pixels the previous guess explains, so the object does not pull them. A pixel's foreground distance is its RGB distance to that
 * plane; the object is the largest connected blob of pixels well above the noise level, and its soft mask (alpha)
 * is the distance divided by the blob's contrast, which recovers anti-aliased coverage at the edges because an edge
 * pixel mixes object and background linearly.
 */
final class Foreground {
    /** Least-squares fits after the median level. */
    private static final int REFITS = 3;
    /** Pixels the object's region extends beyond its blob, so that faint edges and thin tips count. */
    private static final int DILATE = 2;

    final int frames, height, width;
    /** The video in [0, 1], [3][T][H][W]. */
    final float[] rgb;
    /** Soft object mask per frame, [T][H][W], zero outside the object's region. */
    final float[] alpha;
    /** Per frame: whether a blob was found, its alpha sum (pixels), alpha-weighted centroid, contrast. */
    final boolean[] present;
    final double[] area, cx, cy, contrast;
    /** Per frame: the object's region, inclusive pixel bounds; alpha is zero outside it. */
    final int[] left, right, top, bottom;
    /** Median foreground distance of background pixels: the noise level, in RGB units of [0, 1]. */
    final double noise;
    /** Fraction of above-threshold pixels lying outside the object's regions: high for noise or several objects. */
    final double stray;

    private Foreground(int frames, int height, int width, float[] rgb) {
        this.frames = frames;
        this.height = height;
        this.width = width;
        this.rgb = rgb;
        this.alpha = new float[frames * height * width];
        this.present = new boolean[frames];
        this.area = new double[frames];
        this.cx = new double[frames];
        this.cy = new double[frames];
        this.contrast = new double[frames];
        this.left = new int[frames];
        this.right = new int[frames];
        this.top = new int[frames];
        this.bottom = new int[frames];
        int plane = height * width;
        float[][] distance = new float[frames][];
        double[] frameNoise = new double[frames];
        for (int t = 0; t < frames; t++) {
            distance[t] = new float[plane];
            frameNoise[t] = backgroundDistance(t, distance[t]);
        }
        this.noise = median(frameNoise, frames);
        double threshold = Math.max(0.08, 4 * noise);
        long above = 0, outside = 0;
        for (int t = 0; t < frames; t++) {
            int[] counts = segment(t, distance[t], threshold);
            above += counts[0];
            outside += counts[1];
        }
        this.stray = above == 0 ? 0 : (double) outside / above;
    }

    /** Whether frame t shows the object: a blob of at least 3 pixels' worth of mask (fewer is a speck of noise). */
    boolean seen(int t) {
        return present[t] && area[t] >= 3;
    }

    /** Separates the object of a video [3, T, H, W] stored at data[at ..] with values in [-1, 1]. */
    static Foreground of(float[] data, int at, int frames, int height, int width) {
        int n = 3 * frames * height * width;
        float[] rgb = new float[n];
        for (int i = 0; i < n; i++) {
            float v = data[at + i];
            // NaN becomes 0.5 (mid-grey) rather than poisoning every sum.
            rgb[i] = v >= -1 ? (v <= 1 ? (v + 1) / 2 : 1) : (v < -1 ? 0 : 0.5f);
        }
        return new Foreground(frames, height, width, rgb);
    }

    private int index(int c, int t) {
        return (c * frames + t) * height * width;
    }

    /**
     * Fits frame t's background and writes each pixel's distance to it into {@code d}; returns the median distance
     * of the pixels the final fit explains.
     */
    private double backgroundDistance(int t, float[] d) {
        int plane = height * width;
        boolean[] inlier = new boolean[plane];
        Arrays.fill(inlier, true);
        double[] scratch = new double[plane];
        double med = 0;
        for (int pass = 0; pass <= REFITS; pass++) {
            double[][] coef = pass == 0 ? medianLevels(t, scratch) : fitPlanes(t, inlier);
            for (int y = 0; y < height; y++) {
                double yn = (y + 0.5) / height - 0.5;
                for (int x = 0; x < width; x++) {
                    double xn = (x + 0.5) / width - 0.5, s = 0;
                    int p = y * width + x;
                    for (int c = 0; c < 3; c++) {
                        double r = rgb[index(c, t) + p] - (coef[c][0] + coef[c][1] * xn + coef[c][2] * yn);
                        s += r * r;
                    }
                    d[p] = (float) Math.sqrt(s);
                }
            }
            int k = 0;
            for (int p = 0; p < plane; p++) if (inlier[p]) scratch[k++] = d[p];
            med = median(scratch, k);
            // Three times the typical distance keeps texture and noise in and the object out.
            double tau = Math.max(3 * med, 0.03);
            for (int p = 0; p < plane; p++) inlier[p] = d[p] <= tau;
        }
        return med;
    }

    /**
     * The first background guess: each channel's median, a flat level that the object (less than half the frame)
     * cannot pull, unlike a least-squares fit, which a large object near a corner tilts.
     */
    private double[][] medianLevels(int t, double[] scratch) {
        int plane = height * width;
        double[][] coef = new double[3][];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) scratch[p] = rgb[index(c, t) + p];
            coef[c] = new double[] {median(scratch, plane), 0, 0};
        }
        return coef;
    }

    /** Least-squares plane c0 + c1 x + c2 y per channel over the inlier pixels (x, y centred, in frame units). */
    private double[][] fitPlanes(int t, boolean[] inlier) {
        double[][] a = new double[3][3];
        double[][] b = new double[3][3];
        int n = 0;
        for (int y = 0; y < height; y++) {
            double yn = (y + 0.5) / height - 0.5;
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                if (!inlier[p]) continue;
                n++;
                double xn = (x + 0.5) / width - 0.5;
                a[0][1] += xn;
                a[0][2] += yn;
                a[1][1] += xn * xn;
                a[1][2] += xn * yn;
                a[2][2] += yn * yn;
                for (int c = 0; c < 3; c++) {
                    double v = rgb[index(c, t) + p];
                    b[c][0] += v;
                    b[c][1] += xn * v;
                    b[c][2] += yn * v;
                }
            }
        }
        a[0][0] = n;
        a[1][0] = a[0][1];
        a[2][0] = a[0][2];
        a[2][1] = a[1][2];
        double[][] coef = new double[3][];
        for (int c = 0; c < 3; c++) {
            // Too few inliers to fit a gradient: fall back to a level.
            coef[c] = n >= 12 ? solve3(a, b[c]) : new double[] {n == 0 ? 0.5 : b[c][0] / n, 0, 0};
        }
        return coef;
    }

    /** Solves the 3x3 system by Cramer's rule; a singular system (pixels on one line) falls back to the mean level. */
    private static double[] solve3(double[][] a, double[] b) {
        double det = det3(a[0][0], a[0][1], a[0][2], a[1][0], a[1][1], a[1][2], a[2][0], a[2][1], a[2][2]);
        if (Math.abs(det) < 1e-12 * Math.max(1, a[0][0] * a[0][0] * a[0][0])) return new double[] {b[0] / a[0][0], 0, 0};
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            double[][] m = {a[0].clone(), a[1].clone(), a[2].clone()};
            for (int i = 0; i < 3; i++) m[i][k] = b[i];
            out[k] = det3(m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]) / det;
        }
        return out;
    }

    private static double det3(double a, double b, double c, double d, double e, double f, double g, double h, double i) {
        return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    }

    /**
     * Finds frame t's object: the connected blob (8-neighbours) of pixels above the threshold with the largest
     * distance mass. Fills alpha, area, centroid and contrast; returns {pixels above threshold, of them outside the
     * object's region}.
     */
    private int[] segment(int t, float[] d, double threshold) {
        int plane = height * width;
        int[] label = new int[plane];
        int[] stack = new int[plane];
        int above = 0, best = 0, labels = 0;
        double bestMass = 0;
        for (int p = 0; p < plane; p++) {
            if (d[p] <= threshold) continue;
            above++;
            if (label[p] != 0) continue;
            labels++;
            double mass = 0;
            int top = 0;
            stack[top++] = p;
            label[p] = labels;
            while (top > 0) {
                int q = stack[--top];
                mass += d[q];
                int qy = q / width, qx = q % width;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int ny = qy + dy, nx = qx + dx;
                        if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
                        int r = ny * width + nx;
                        if (label[r] == 0 && d[r] > threshold) {
                            label[r] = labels;
                            stack[top++] = r;
                        }
                    }
                }
            }
            if (mass > bestMass) {
                bestMass = mass;
                best = labels;
            }
        }
        if (best == 0) return new int[] {above, above};

        int x0 = width, x1 = -1, y0 = height, y1 = -1, k = 0;
        double peak = 0;
        for (int p = 0; p < plane; p++) {
            if (label[p] != best) continue;
            int y = p / width, x = p % width;
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
            peak = Math.max(peak, d[p]);
        }
        // The contrast is the typical distance of the blob's core; the median resists shading and noise.
        double[] core = new double[plane];
        for (int p = 0; p < plane; p++) if (label[p] == best && d[p] >= 0.6 * peak) core[k++] = d[p];
        double c = median(core, k);
        contrast[t] = c;
        x0 = Math.max(0, x0 - DILATE);
        x1 = Math.min(width - 1, x1 + DILATE);
        y0 = Math.max(0, y0 - DILATE);
        y1 = Math.min(height - 1, y1 + DILATE);
        int outside = 0;
        for (int p = 0; p < plane; p++) {
            int y = p / width, x = p % width;
            if (d[p] > threshold && (x < x0 || x > x1 || y < y0 || y > y1)) outside++;
        }
        double sum = 0, sx = 0, sy = 0, span = Math.max(c - noise, 1e-6);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int p = y * width + x;
                double a = Math.min(1, Math.max(0, (d[p] - noise) / span));
                alpha[t * plane + p] = (float) a;
                sum += a;
                sx += a * (x + 0.5);
                sy += a * (y + 0.5);
            }
        }
        present[t] = true;
        left[t] = x0;
        right[t] = x1;
        top[t] = y0;
        bottom[t] = y1;
        area[t] = sum;
        cx[t] = sx / sum;
        cy[t] = sy / sum;
        return new int[] {above, outside};
    }

    /** The median of values[0 .. n); sorts that range. 0 when n is 0. */
    static double median(double[] values, int n) {
        if (n == 0) return 0;
        Arrays.sort(values, 0, n);
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
