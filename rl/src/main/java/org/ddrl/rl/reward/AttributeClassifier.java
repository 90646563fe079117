package org.ddrl.rl.reward;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddrl.autodiff.nn.Conv3d;
import org.ddrl.autodiff.nn.GroupNorm;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Colour;
import org.ddrl.diffusion.data.Direction;
import org.ddrl.diffusion.data.Shape;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.SafetensorsFile;
import org.ddrl.tensor.rng.Generator;

/**
 * A small video classifier with three heads, colour (8 classes), shape (4) and direction (4): three 3x3x3
 * convolutions (width w, 2w, 2w; the last two with stride 2 in time and space), the first two followed by a
 * 4-group GroupNorm, all by SiLU; the mean and the maximum over time and space of each of the three feature maps
 * (10w features: the full-resolution ones carry the few-pixel detail that tells shapes apart, the maxima say whether
 * a pattern occurs anywhere); and one linear layer whose 16 outputs are the three heads' logits. Trained on real moving-shapes videos
 * ({@link AttributeClassifierTraining}); being learned from real videos only, it is reliable near them and can be
 * fooled by videos off that manifold, which is what makes it a hackable proxy reward.
 *
 * <p>Input [B, 3, T, H, W] in [-1, 1], any T, H, W (the pooling is global). Saved with {@link #save(Path)}-style
 * safetensors whose metadata records the width, so {@link #load(Path)} rebuilds it.
 */
public final class AttributeClassifier extends Module {
    static final String WIDTH_KEY = "attribute_classifier.width";
    private static final int COLOURS = Colour.values().length;
    private static final int SHAPES = Shape.values().length;
    private static final int DIRECTIONS = Direction.values().length;

    private final int width;

    /** @param width channels of the first convolution, a multiple of 4; the next two have 2 width */
    public AttributeClassifier(int width, Generator gen) {
        if (width < 4 || width % 4 != 0) throw new IllegalArgumentException("AttributeClassifier: width must be a positive multiple of 4, got " + width);
        this.width = width;
        registerModule("conv1", new Conv3d(3, width, 3, 1, 1, gen));
        registerModule("norm1", new GroupNorm(4, width));
        registerModule("conv2", new Conv3d(width, 2 * width, 3, 2, 1, gen));
        registerModule("norm2", new GroupNorm(4, 2 * width));
        registerModule("conv3", new Conv3d(2 * width, 2 * width, 3, 2, 1, gen));
        registerModule("head", new Linear(10 * width, COLOURS + SHAPES + DIRECTIONS, gen));
    }

    public int width() {
        return width;
    }

    /** The three heads' logits for a batch of videos. */
    public record Logits(Tensor colour, Tensor shape, Tensor direction) {}

    /** Logits [B, 16]: colour, then shape, then direction. */
    public Tensor forward(Tensor videos) {
        if (videos.dim() != 5 || videos.size(1) != 3) {
            throw new IllegalArgumentException(describe() + ": videos must be [B, 3, T, H, W], got " + Shapes.str(videos.shape()));
        }
        Tensor h1 = getSubmodule("norm1").forward(getSubmodule("conv1").forward(videos)).silu();
        Tensor h2 = getSubmodule("norm2").forward(getSubmodule("conv2").forward(h1)).silu();
        Tensor h3 = getSubmodule("conv3").forward(h2).silu();
        int[] all = {2, 3, 4};
        return getSubmodule("head").forward(Tensor.cat(1, h1.mean(all, false), h1.max(all, false), h2.mean(all, false), h2.max(all, false),
                h3.mean(all, false), h3.max(all, false)));
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    /** The logits split by head. */
    public Logits logits(Tensor videos) {
        Tensor all = forward(videos);
        return new Logits(all.narrow(1, 0, COLOURS), all.narrow(1, COLOURS, SHAPES), all.narrow(1, COLOURS + SHAPES, DIRECTIONS));
    }

    /**
     * log p(colour) + log p(shape) + log p(direction) of the given attributes under the three heads, F32 [B]: the
     * log-probability of the whole caption when the heads are taken as independent.
     */
    public Tensor logProb(Tensor videos, List<Attributes> attributes) {
        if (attributes.size() != videos.size(0)) {
            throw new IllegalArgumentException(describe() + ".logProb: " + videos.size(0) + " videos but " + attributes.size() + " attribute sets");
        }
        Logits l = logits(videos);
        Targets t = Targets.of(attributes, videos.device());
        return pick(l.colour(), t.colour()).add(pick(l.shape(), t.shape())).add(pick(l.direction(), t.direction()));
    }

    private static Tensor pick(Tensor logits, Tensor target) {
        return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1);
    }

    /** Class indices of each head, I64 [B], for a list of attributes. */
    record Targets(Tensor colour, Tensor shape, Tensor direction) {
        static Targets of(List<Attributes> attributes, Device device) {
            int n = attributes.size();
            long[] c = new long[n], s = new long[n], d = new long[n];
            for (int i = 0; i < n; i++) {
                Attributes a = attributes.get(i);
                c[i] = a.colour().ordinal();
                s[i] = a.shape().ordinal();
                d[i] = a.direction().ordinal();
            }
            return new Targets(Tensor.of(c, n).to(device), Tensor.of(s, n).to(device), Tensor.of(d, n).to(device));
        }
    }

    /** Saves the weights and the width (safetensors). */
    public void saveTo(Path path) throws IOException {
        save(path, Map.of(WIDTH_KEY, String.valueOf(width)));
    }

    /** A classifier rebuilt from a file written by {@link #saveTo}. */
    public static AttributeClassifier read(Path path) throws IOException {
        int width;
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            String w = f.metadata().get(WIDTH_KEY);
            if (w == null) {
                throw new IOException("AttributeClassifier.read " + path + ": the file has no '" + WIDTH_KEY
                        + "' metadata; it was not written by AttributeClassifier.saveTo");
            }
            try {
                width = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new IOException("AttributeClassifier.read " + path + ": metadata '" + WIDTH_KEY + "' is not an integer: " + w, e);
            }
        }
        AttributeClassifier c = new AttributeClassifier(width, new Generator(0));
        c.load(path);
        return c;
    }
}
