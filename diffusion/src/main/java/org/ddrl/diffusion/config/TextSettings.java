package org.ddrl.diffusion.config;

/**
 * The caption encoder trained with the video model.
 *
 * @param width     token width, also the text width the video model attends to
 * @param depth     transformer layers
 * @param heads     attention heads
 * @param maxLength tokens per caption, counting the leading {@code <cls>}
 */
public record TextSettings(int width, int depth, int heads, int maxLength) {
    /** A moving-shapes caption ("a red circle moving left") is five words, plus {@code <cls>}. */
    public static final int CAPTION_TOKENS = 6;

    boolean validate(ConfigErrors e) {
        int before = e.count();
        e.atLeast("model.text.width", width, 1);
        e.atLeast("model.text.depth", depth, 0);
        e.atLeast("model.text.heads", heads, 1);
        if (width >= 1 && heads >= 1 && width % heads != 0) e.add("model.text.heads", heads + " heads do not divide the width " + width);
        if (maxLength < CAPTION_TOKENS) {
            e.add("model.text.max_length", "must be >= " + CAPTION_TOKENS + " to hold <cls> and the five words of a caption, got " + maxLength);
        }
        return e.count() == before;
    }
}
