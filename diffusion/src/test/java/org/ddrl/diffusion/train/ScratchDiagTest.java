package org.ddrl.diffusion.train;

import java.nio.file.Path;
import java.util.*;
import org.ddrl.diffusion.data.*;
import org.ddrl.diffusion.noise.*;
import org.ddrl.tensor.*;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class ScratchDiagTest {
    @Test
    void diag() throws Exception {
        var l = RunCheckpoint.load(Path.of(System.getProperty("diag.ckpt")), true);
        var c = l.config();
        var data = new MovingShapes(c.video(), Split.TRAIN, 4096, 1);
        int n = 64;
        int[] idx = new int[n]; for (int i = 0; i < n; i++) idx[i] = i * 37 % 4096;
        Batch b = data.batch(idx);
        List<String> right = b.captions();
        List<String> wrongColour = new ArrayList<>(), wrongShape = new ArrayList<>(), wrongDir = new ArrayList<>(), empty = new ArrayList<>();
        for (Attributes a : b.attributes()) {
            wrongColour.add(new Attributes(Colour.values()[(a.colour().ordinal() + 3) % 8], a.shape(), a.direction()).caption());
            wrongShape.add(new Attributes(a.colour(), Shape.values()[(a.shape().ordinal() + 1) % 4], a.direction()).caption());
            wrongDir.add(new Attributes(a.colour(), a.shape(), Direction.values()[(a.direction().ordinal() + 1) % 4]).caption());
            empty.add("");
        }
        try (var ng = GradMode.noGrad()) {
            for (double tv : new double[] {0.3, 0.6, 0.8, 0.95}) {
                Generator g = new Generator(3);
                Tensor x0 = b.videos();
                Tensor t = Tensor.full(tv, DType.F32, n);
                Tensor eps = Tensor.randn(g, x0.shape());
                Tensor xt = RectifiedFlow.interpolate(x0, eps, t);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "DIAG t=%.2f", tv));
                for (var e : List.of(Map.entry("right", right), Map.entry("colour", wrongColour), Map.entry("shape", wrongShape), Map.entry("dir", wrongDir), Map.entry("empty", empty))) {
                    Tensor v = l.model().forward(xt, t, l.tokenizer().encode(e.getValue()));
                    sb.append(String.format(Locale.ROOT, "  %s %.4f", e.getKey(), DiffusionLoss.velocityMse(v, x0, eps).item()));
                }
                System.out.println(sb);
            }
        }
    }
}
