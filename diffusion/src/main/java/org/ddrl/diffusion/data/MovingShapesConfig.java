package org.ddrl.diffusion.data;

/**
 * The size of moving-shapes videos: frames of height x width pixels. {@link #TINY} is for tests, {@link #STANDARD}
 * for the experiment. The attribute detector is verified at both and at the smallest side allowed, 12 pixels (see
 * AttributeDetectorTest); at 10 pixels a shape is about 4 pixels across and shapes begin to be confused (98.4% of 512
 * videos fully right in one measurement), so smaller frames are refused.
 */
public record MovingShapesConfig(int frames, int height, int width) {
    /** The smallest frame side the detector was verified at. */
    public static final int MIN_SIDE = 12;

    /** 8 frames of 16x16. */
    public static final MovingShapesConfig TINY = new MovingShapesConfig(8, 16, 16);
    /** 16 frames of 32x32. */
    public static final MovingShapesConfig STANDARD = new MovingShapesConfig(16, 32, 32);

    public MovingShapesConfig {
        if (frames < 4 || height < MIN_SIDE || width < MIN_SIDE) {
            throw new IllegalArgumentException("MovingShapesConfig: got " + frames + " frames of " + height + "x" + width
                    + "; needs at least 4 frames (to show motion) of at least " + MIN_SIDE + "x" + MIN_SIDE + " pixels");
        }
    }

    /** The shape of one video tensor: [3, frames, height, width]. */
    public int[] videoShape() {
        return new int[] {3, frames, height, width};
    }

    /** Elements of one video. */
    public int videoNumel() {
        return 3 * frames * height * width;
    }
}
