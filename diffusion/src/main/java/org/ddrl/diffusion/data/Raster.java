package org.ddrl.diffusion.data;

/**
 * Anti-aliased drawing of a {@link Shape}: the coverage of each pixel by the shape in a given box, by 4x4
 * supersampling. Pixel (x, y) covers [x, x + 1) x [y, y + 1), so its centre is (x + 0.5, y + 0.5). The generator
 * draws with it and the detector matches templates drawn with it, so the two agree on what a shape looks like.
 */
final class Raster {
    private static final int SUB = 4;

    private Raster() {}

    /**
     * Writes into {@code alpha} (row-major [height][width]) the coverage of every pixel by the shape in the box with
     * centre (cx, cy) and half-sizes (hx, hy); pixels outside the box get 0. Returns the covered area in pixels.
     */
    static double draw(Shape shape, double cx, double cy, double hx, double hy, int height, int width, float[] alpha) {
        java.util.Arrays.fill(alpha, 0, height * width, 0f);
        int x0 = Math.max(0, (int) Math.floor(cx - hx)), x1 = Math.min(width - 1, (int) Math.floor(cx + hx));
        int y0 = Math.max(0, (int) Math.floor(cy - hy)), y1 = Math.min(height - 1, (int) Math.floor(cy + hy));
        double area = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int inside = 0;
                for (int j = 0; j < SUB; j++) {
                    double v = (y + (j + 0.5) / SUB - cy) / hy;
                    for (int i = 0; i < SUB; i++) {
                        double u = (x + (i + 0.5) / SUB - cx) / hx;
                        if (shape.contains(u, v)) inside++;
                    }
                }
                float a = inside / (float) (SUB * SUB);
                alpha[y * width + x] = a;
                area += a;
            }
        }
        return area;
    }
}
