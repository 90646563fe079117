package org.ddrl.diffusion.data;

/**
 * What {@link AttributeDetector} saw in one video: the attributes (null when it found no object), a confidence in
 * [0, 1] for each and overall (the smallest of the three; 0 when nothing was found), and a note saying why nothing
 * was found, or which measurement was weakest.
 */
public record Detection(Attributes attributes, double confidence, double colourConfidence, double shapeConfidence,
                        double directionConfidence, String note) {
    static Detection none(String why) {
        return new Detection(null, 0, 0, 0, 0, why);
    }

    /** Whether an object was found. */
    public boolean found() {
        return attributes != null;
    }
}
