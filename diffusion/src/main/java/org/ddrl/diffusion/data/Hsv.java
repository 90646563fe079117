package org.ddrl.diffusion.data;

/** Hue and saturation of an RGB colour, the parts of HSV that uniform lighting leaves unchanged. */
final class Hsv {
    private Hsv() {}

    /** Hue in degrees [0, 360); 0 for greys. */
    static double hue(double r, double g, double b) {
        double max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
        double c = max - min;
        if (c <= 0) return 0;
        double h;
        if (max == r) h = (g - b) / c;
        else if (max == g) h = (b - r) / c + 2;
        else h = (r - g) / c + 4;
        h *= 60;
        return h < 0 ? h + 360 : h;
    }

    /** (max - min) / max, in [0, 1]; 0 for black. */
    static double saturation(double r, double g, double b) {
        double max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
        return max <= 0 ? 0 : (max - min) / max;
    }
}
