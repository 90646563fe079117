package org.ddrl.diffusion.data;

import java.util.Locale;

/**
 * How often {@link AttributeDetector} recovered the true attributes of {@code count} videos: the fraction right per
 * attribute and with all three right; a video where no object was found counts as wrong on every attribute.
 */
public record DetectorAccuracy(int count, double colour, double shape, double direction, double all, int notFound) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d videos: all %.4f, colour %.4f, shape %.4f, direction %.4f, no object %d",
                count, all, colour, shape, direction, notFound);
    }
}
