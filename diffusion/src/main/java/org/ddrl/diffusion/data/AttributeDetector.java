package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.ddrl.tensor.Tensor;

/**
 * Recovers colour, shape and direction from a moving-shapes video by measurement alone, with nothing learned: the
 * judge of the experiment, and the check that generated data says what its captions say.
 *
 * <ul>
 *   <li>Object: {@link Foreground} fits each frame's background and keeps the largest blob that stands out from the
 *       noise. No object is reported (confidence 0) when the blob is missing in too many frames, is faint against
 *       the noise, changes size from frame to frame, or when much of the foreground lies outside it: pure noise,
 *       an empty background and cluttered frames all end there rather than in a confident guess.</li>
 *   <li>Colour: the per-channel median RGB of the object's core pixels (soft mask above 0.85) over all frames, placed in the
 *       chroma plane (saturation as radius, hue as angle), where uniform lighting does not move it; the nearest
 *       named colour wins, white sitting at the centre.</li>
 *   <li>Shape: every shape's template is drawn at each frame's object position and size, matched on area and
 *       centroid, and scored by soft intersection over union with the object's mask; the best mean score wins.</li>
 *   <li>Direction: a least-squares line through the object's centroids over time; the larger of its horizontal and
 *       vertical slopes, by sign.</li>
 * </ul>
 * Each attribute's confidence is in [0, 1]: 1 for a clear winner, near 0 when the runner-up is as good.
 */
public final class AttributeDetector {
    private AttributeDetector() {}

    /** Detects the object of one video, [3, frames, height, width] with values in [-1, 1] (others are clamped). */
    public static Detection detect(Tensor video) {
        int[] s = video.shape();
        if (s.length != 4 || s[0] != 3) {
            throw new IllegalArgumentException("AttributeDetector.detect: expected a video [3, frames, height, width], got shape "
                    + Arrays.toString(s));
        }
        checkSize("detect", s[1], s[2], s[3]);
        return detect(video.toFloatArray(), 0, s[1], s[2], s[3]);
    }

    /** Detects the object of each video of a batch [B, 3, frames, height, width]. */
    public static List<Detection> detectAll(Tensor videos) {
        int[] s = videos.shape();
        if (s.length != 5 || s[1] != 3) {
            throw new IllegalArgumentException("AttributeDetector.detectAll: expected videos [B, 3, frames, height, width], got shape "
                    + Arrays.toString(s));
        }
        checkSize("detectAll", s[2], s[3], s[4]);
        float[] data = videos.toFloatArray();
        int n = 3 * s[2] * s[3] * s[4];
        List<Detection> out = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) out.add(detect(data, b * n, s[2], s[3], s[4]));
        return out;
    }

    /** Detects every video of a batch and scores the detections against the true attributes. */
    public static DetectorAccuracy accuracy(Tensor videos, List<Attributes> truth) {
        return accuracy(detectAll(videos), truth);
    }

    /** Scores detections against the true attributes, in the same order. */
    public static DetectorAccuracy accuracy(List<Detection> detections, List<Attributes> truth) {
        if (detections.size() != truth.size() || truth.isEmpty()) {
            throw new IllegalArgumentException("AttributeDetector.accuracy: " + detections.size() + " detections for "
                    + truth.size() + " true attribute sets; needs the same positive number");
        }
        int colour = 0, shape = 0, direction = 0, all = 0, none = 0;
        for (int i = 0; i < truth.size(); i++) {
            Attributes want = truth.get(i), got = detections.get(i).attributes();
            if (got == null) {
                none++;
                continue;
            }
            boolean c = got.colour() == want.colour(), s = got.shape() == want.shape(), d = got.direction() == want.direction();
            colour += c ? 1 : 0;
            shape += s ? 1 : 0;
            direction += d ? 1 : 0;
            all += c && s && d ? 1 : 0;
        }
        double n = truth.size();
        return new DetectorAccuracy(truth.size(), colour / n, shape / n, direction / n, all / n, none);
    }

    private static void checkSize(String op, int frames, int height, int width) {
        if (frames < 2 || height < 4 || width < 4) {
            throw new IllegalArgumentException("AttributeDetector." + op + ": needs at least 2 frames of 4x4 pixels, got "
                    + frames + " frames of " + height + "x" + width);
        }
    }

    static Detection detect(float[] data, int at, int frames, int height, int width) {
        Foreground fg = Foreground.of(data, at, frames, height, width);
        String missing = absence(fg);
        if (missing != null) return Detection.none(missing);

        double[] chroma = new double[2];
        Colour colour = colour(fg, chroma);
        double[] shapeScore = new double[Shape.values().length];
        Shape shape = shape(fg, shapeScore);
        double[] velocity = velocity(fg);
        Direction direction = direction(velocity);

        double colourConf = colourConfidence(chroma, colour);
        double shapeConf = shapeConfidence(shapeScore, shape);
        double directionConf = directionConfidence(velocity, frames);
        double conf = Math.min(colourConf, Math.min(shapeConf, directionConf));
        String weakest = conf == colourConf ? "colour" : conf == shapeConf ? "shape" : "direction";
        return new Detection(new Attributes(colour, shape, direction), conf, colourConf, shapeConf, directionConf,
                "weakest: " + weakest);
    }

    /** Why the foreground holds no single, steady object; null when it does. */
    private static String absence(Foreground fg) {
        int frames = fg.frames, seen = 0;
        double[] areas = new double[frames], contrasts = new double[frames];
        for (int t = 0; t < frames; t++) {
            if (!fg.seen(t)) continue;
            areas[seen] = fg.area[t];
            contrasts[seen++] = fg.contrast[t];
        }
        if (seen < Math.max(2, (frames * 3 + 3) / 4)) {
            return "no object: a blob stands out from the background in only " + seen + " of " + frames + " frames";
        }
        double contrast = Foreground.median(contrasts, seen);
        if (contrast < Math.max(0.12, 5 * fg.noise)) {
            return String.format(Locale.ROOT, "no object: its contrast %.3f is too close to the noise level %.3f", contrast, fg.noise);
        }
        double mean = 0, var = 0;
        for (int i = 0; i < seen; i++) mean += areas[i] / seen;
        for (int i = 0; i < seen; i++) var += (areas[i] - mean) * (areas[i] - mean) / seen;
        double cv = Math.sqrt(var) / mean;
        if (cv > 0.35) return String.format(Locale.ROOT, "no object: the blob's area varies by %.0f%% between frames", 100 * cv);
        if (mean > 0.5 * fg.height * fg.width) return String.format(Locale.ROOT, "no object: the blob covers %.0f of %d pixels", mean, fg.height * fg.width);
        if (fg.stray > 0.25) {
            return String.format(Locale.ROOT, "no object: %.0f%% of the foreground lies outside the largest blob", 100 * fg.stray);
        }
        return null;
    }

    /** The nearest named colour to the core's median colour; writes the core's chroma point into {@code chroma}. */
    private static Colour colour(Foreground fg, double[] chroma) {
        int plane = fg.height * fg.width;
        double[][] values = new double[3][fg.frames * plane];
        int n = 0;
        for (double cut : new double[] {0.85, 0.5, 0.0}) {
            n = 0;
            for (int t = 0; t < fg.frames; t++) {
                for (int p = 0; p < plane; p++) {
                    if (fg.alpha[t * plane + p] <= cut) continue;
                    for (int c = 0; c < 3; c++) values[c][n] = fg.rgb[(c * fg.frames + t) * plane + p];
                    n++;
                }
            }
            if (n >= 3) break; // a tiny object may have no fully covered pixel; then take the best covered ones
        }
        double r = Foreground.median(values[0], n), g = Foreground.median(values[1], n), b = Foreground.median(values[2], n);
        double sat = Hsv.saturation(r, g, b), hue = Math.toRadians(Hsv.hue(r, g, b));
        chroma[0] = sat * Math.cos(hue);
        chroma[1] = sat * Math.sin(hue);
        Colour best = null;
        double bestD = Double.MAX_VALUE;
        for (Colour c : Colour.values()) {
            double dist = chromaDistance(chroma, c);
            if (dist < bestD) {
                bestD = dist;
                best = c;
            }
        }
        return best;
    }

    private static double chromaDistance(double[] chroma, Colour c) {
        double[] rgb = c.rgb();
        double sat = Hsv.saturation(rgb[0], rgb[1], rgb[2]), hue = Math.toRadians(c.hue());
        return Math.hypot(chroma[0] - sat * Math.cos(hue), chroma[1] - sat * Math.sin(hue));
    }

    /** (second - first) / (second + first) of the two nearest colours' distances. */
    private static double colourConfidence(double[] chroma, Colour best) {
        double d1 = chromaDistance(chroma, best), d2 = Double.MAX_VALUE;
        for (Colour c : Colour.values()) if (c != best) d2 = Math.min(d2, chromaDistance(chroma, c));
        return (d2 - d1) / (d2 + d1);
    }

    /** The best-matching shape; writes each shape's mean soft IoU into {@code score}. */
    private static Shape shape(Foreground fg, double[] score) {
        int plane = fg.height * fg.width, seen = 0;
        float[] template = new float[plane];
        for (int t = 0; t < fg.frames; t++) {
            if (!fg.seen(t)) continue;
            seen++;
            for (Shape s : Shape.values()) {
                // The box whose shape has the object's area and centroid.
                double half = Math.sqrt(fg.area[t] / s.fill()) / 2;
                double boxY = fg.cy[t] - s.centroidV() * half;
                Raster.draw(s, fg.cx[t], boxY, half, half, fg.height, fg.width, template);
                // Both masks are zero outside the union of the template's box and the object's region.
                int x0 = Math.max(0, Math.min(fg.left[t], (int) Math.floor(fg.cx[t] - half)));
                int x1 = Math.min(fg.width - 1, Math.max(fg.right[t], (int) Math.floor(fg.cx[t] + half)));
                int y0 = Math.max(0, Math.min(fg.top[t], (int) Math.floor(boxY - half)));
                int y1 = Math.min(fg.height - 1, Math.max(fg.bottom[t], (int) Math.floor(boxY + half)));
                score[s.ordinal()] += softIou(fg.alpha, t * plane, template, fg.width, x0, x1, y0, y1);
            }
        }
        Shape best = Shape.CIRCLE;
        for (Shape s : Shape.values()) {
            score[s.ordinal()] /= seen;
            if (score[s.ordinal()] > score[best.ordinal()]) best = s;
        }
        return best;
    }

    /** Soft intersection over union of a frame's alpha and a template, over the window [x0, x1] x [y0, y1]. */
    private static double softIou(float[] alpha, int at, float[] template, int width, int x0, int x1, int y0, int y1) {
        double inter = 0, union = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int p = y * width + x;
                float a = alpha[at + p], b = template[p];
                inter += Math.min(a, b);
                union += Math.max(a, b);
            }
        }
        return union == 0 ? 0 : inter / union;
    }

    /** The lead of the best shape over the runner-up, saturating at 0.1 IoU, scaled down when the best fits poorly. */
    private static double shapeConfidence(double[] score, Shape best) {
        double first = score[best.ordinal()], second = 0;
        for (Shape s : Shape.values()) if (s != best) second = Math.max(second, score[s.ordinal()]);
        double lead = Math.min(1, (first - second) / 0.1);
        double fit = Math.min(1, Math.max(0, (first - 0.4) / 0.3));
        return lead * fit;
    }

    /** Pixels per frame along x and y, by least squares over the frames where the object was seen. */
    private static double[] velocity(Foreground fg) {
        double n = 0, st = 0, sx = 0, sy = 0, stt = 0, stx = 0, sty = 0;
        for (int t = 0; t < fg.frames; t++) {
            if (!fg.seen(t)) continue;
            n++;
            st += t;
            sx += fg.cx[t];
            sy += fg.cy[t];
            stt += (double) t * t;
            stx += t * fg.cx[t];
            sty += t * fg.cy[t];
        }
        double den = n * stt - st * st;
        return new double[] {(n * stx - st * sx) / den, (n * sty - st * sy) / den};
    }

    private static Direction direction(double[] v) {
        if (Math.abs(v[0]) >= Math.abs(v[1])) return v[0] < 0 ? Direction.LEFT : Direction.RIGHT;
        return v[1] < 0 ? Direction.UP : Direction.DOWN;
    }

    /** How much the main axis dominates the other, times how far the object travels (full at 2 pixels or more). */
    private static double directionConfidence(double[] v, int frames) {
        double major = Math.max(Math.abs(v[0]), Math.abs(v[1])), minor = Math.min(Math.abs(v[0]), Math.abs(v[1]));
        if (major == 0) return 0;
        double dominance = (major - minor) / (major + minor);
        double travel = Math.min(1, major * (frames - 1) / 2);
        return dominance * travel;
    }
}
