package org.ddrl.diffusion.data;

/**
 * The named colours of the moving-shapes data, chosen well apart in hue (red, orange, yellow, green, cyan, blue,
 * magenta) plus white, which differs from them all in saturation. Components are in [0, 1], before lighting.
 */
public enum Colour {
    RED("red", 0.90, 0.12, 0.12),
    ORANGE("orange", 0.95, 0.55, 0.10),
    YELLOW("yellow", 0.92, 0.88, 0.12),
    GREEN("green", 0.15, 0.80, 0.20),
    CYAN("cyan", 0.10, 0.82, 0.88),
    BLUE("blue", 0.15, 0.30, 0.95),
    MAGENTA("magenta", 0.88, 0.15, 0.85),
    WHITE("white", 0.95, 0.95, 0.95);

    private final String word;
    private final double r, g, b;

    Colour(String word, double r, double g, double b) {
        this.word = word;
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** The caption word. */
    public String word() {
        return word;
    }

    /** Red, green and blue in [0, 1]. */
    public double[] rgb() {
        return new double[] {r, g, b};
    }

    /** Hue in degrees [0, 360); meaningless for white, whose saturation is near zero. */
    public double hue() {
        return Hsv.hue(r, g, b);
    }

    public static Colour fromWord(String word) {
        for (Colour c : values()) if (c.word.equals(word)) return c;
        return null;
    }
}
