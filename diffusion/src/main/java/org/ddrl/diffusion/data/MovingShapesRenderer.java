package org.ddrl.diffusion.data;

/**
 * Draws one moving-shapes video from its attributes and its random stream. Everything that varies between videos
 * of the same caption comes from the stream: the background (grey level, colour tint, a linear gradient, a few
 * faint waves as texture and a static grain), the lighting (a per-video level that scales object and background, a
 * per-frame flicker), the object's size, shading, path and speed, and per-frame sensor noise. The object stays
 * wholly inside the frame and moves at a constant speed along its direction.
 */
final class MovingShapesRenderer {
    /** Keeps the object this many pixels from the frame's edge. */
    private static final double MARGIN = 1.0;
    private static final int WAVES = 3;

    private MovingShapesRenderer() {}

    /** Writes the video, [3, T, H, W] in [-1, 1], into out[at ..]. */
    static void render(MovingShapesConfig cfg, Attributes attrs, PhiloxStream r, float[] out, int at) {
        int frames = cfg.frames(), h = cfg.height(), w = cfg.width(), plane = h * w;

        double light = r.uniform(0.85, 1.15);
        double grey = r.uniform(0.20, 0.40);
        double[] tint = {r.uniform(-0.04, 0.04), r.uniform(-0.04, 0.04), r.uniform(-0.04, 0.04)};
        double gradAngle = r.uniform(0, 2 * Math.PI), gradAmp = r.uniform(0.05, 0.15);
        double gcos = gradAmp * StrictMath.cos(gradAngle), gsin = gradAmp * StrictMath.sin(gradAngle);
        double[] waveAmp = new double[WAVES], waveKx = new double[WAVES], waveKy = new double[WAVES], wavePhase = new double[WAVES];
        for (int k = 0; k < WAVES; k++) {
            waveAmp[k] = r.uniform(0.008, 0.02);
            double cycles = r.uniform(0.5, 2.5), angle = r.uniform(0, Math.PI);
            waveKx[k] = 2 * Math.PI * cycles * StrictMath.cos(angle) / w;
            waveKy[k] = 2 * Math.PI * cycles * StrictMath.sin(angle) / h;
            wavePhase[k] = r.uniform(0, 2 * Math.PI);
        }
        // The static background, before lighting: [3][H][W].
        double[] background = new double[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = grey + gcos * ((x + 0.5) / w - 0.5) + gsin * ((y + 0.5) / h - 0.5);
                for (int k = 0; k < WAVES; k++) v += waveAmp[k] * StrictMath.sin(waveKx[k] * x + waveKy[k] * y + wavePhase[k]);
                double grain = 0.012 * r.gaussian();
                for (int c = 0; c < 3; c++) background[c * plane + y * w + x] = v + tint[c] + grain + 0.006 * r.gaussian();
            }
        }

        double side = r.uniform(0.36, 0.46) * Math.min(h, w), half = side / 2;
        double[] colour = attrs.colour().rgb();
        double objectLight = light * r.uniform(0.92, 1.05);
        double shadeAngle = r.uniform(0, 2 * Math.PI), shadeAmp = r.uniform(0.03, 0.10);
        double shadeU = shadeAmp * StrictMath.cos(shadeAngle), shadeV = shadeAmp * StrictMath.sin(shadeAngle);

        Direction dir = attrs.direction();
        boolean horizontal = dir.dx() != 0;
        int along = horizontal ? w : h, across = horizontal ? h : w;
        double room = along - side - 2 * MARGIN;
        double travel = r.uniform(0.55, 1.0) * room;
        double low = MARGIN + half + r.uniform(0, room - travel);
        double fixed = MARGIN + half + r.uniform(0, across - side - 2 * MARGIN);
        int sign = horizontal ? dir.dx() : dir.dy();

        float[] alpha = new float[plane];
        for (int t = 0; t < frames; t++) {
            double progress = (double) t / (frames - 1);
            double pos = sign > 0 ? low + travel * progress : low + travel * (1 - progress);
            double cx = horizontal ? pos : fixed, cy = horizontal ? fixed : pos;
            Raster.draw(attrs.shape(), cx, cy, half, half, h, w, alpha);
            double flicker = 1 + 0.025 * r.gaussian();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    double a = alpha[p];
                    double shade = 1 + shadeU * (x + 0.5 - cx) / half + shadeV * (y + 0.5 - cy) / half;
                    for (int c = 0; c < 3; c++) {
                        double bg = background[c * plane + p] * light;
                        double obj = colour[c] * objectLight * shade;
                        double v = (a * obj + (1 - a) * bg) * flicker + 0.01 * r.gaussian();
                        v = Math.min(1, Math.max(0, v));
                        out[at + (c * frames + t) * plane + p] = (float) (2 * v - 1);
                    }
                }
            }
        }
    }
}
