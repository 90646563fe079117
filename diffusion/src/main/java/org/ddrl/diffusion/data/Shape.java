package org.ddrl.diffusion.data;

/**
 * The object shapes, each defined inside its square bounding box with coordinates u (right) and v (down) in
 * [-1, 1]. They differ in how much of the box they fill (square 1, circle 0.79, cross 0.56, triangle 0.5) and in
 * where: the triangle's mass sits low and the cross leaves the four corners empty, which is what lets the detector
 * tell them apart even at a few pixels across.
 */
public enum Shape {
    CIRCLE("circle"),
    SQUARE("square"),
    TRIANGLE("triangle"),
    CROSS("cross");

    /** Half the width of the cross's arms, in box units: arms a third of the box wide. */
    private static final double ARM = 1.0 / 3;

    private final String word;

    Shape(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Whether the box point (u, v), both in [-1, 1], lies inside the shape. The triangle points up. */
    public boolean contains(double u, double v) {
        return switch (this) {
            case CIRCLE -> u * u + v * v <= 1;
            case SQUARE -> Math.abs(u) <= 1 && Math.abs(v) <= 1;
            case TRIANGLE -> v <= 1 && Math.abs(u) <= (v + 1) / 2;
            case CROSS -> Math.abs(u) <= 1 && Math.abs(v) <= 1 && (Math.abs(u) <= ARM || Math.abs(v) <= ARM);
        };
    }

    /** The fraction of the bounding box the shape covers. */
    public double fill() {
        return switch (this) {
            case CIRCLE -> Math.PI / 4;
            case SQUARE -> 1;
            case TRIANGLE -> 0.5;
            case CROSS -> 1 - (1 - ARM) * (1 - ARM);
        };
    }

    /** The vertical offset of the shape's centroid from the box centre, in box units (v, down positive). */
    public double centroidV() {
        // The triangle's centroid lies a third of the way up from its base at v = 1.
        return this == TRIANGLE ? 1.0 / 3 : 0;
    }

    public static Shape fromWord(String word) {
        for (Shape s : values()) if (s.word.equals(word)) return s;
        return null;
    }
}
