package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * The moving-shapes videos of one split: one object of a named colour and shape moving in a named direction over a
 * textured, unevenly lit background (see {@link MovingShapesRenderer}). Videos are drawn on demand and are a pure
 * function of (seed, split, index): video i uses its own Philox stream, so it does not depend on which other videos
 * were generated, in what order, or on which thread.
 *
 * <p>Video i shows combination {@code combinations(split).get(i % n)}, so every combination of the split appears
 * equally often (shuffle with a {@link BatchIterator}). Of the 8 x 4 x 4 = 128 combinations, the 16 with
 * {@code (colour + shape + direction) % 8 == 0} (enum ordinals) are held out of TRAIN and VALIDATION entirely: exactly
 * one colour per shape-direction pair, at most one direction per colour-shape pair and at most one shape per
 * colour-direction pair, so every pair of attribute values is still seen in training and the held-out prompts test composition.
 */
public final class MovingShapes implements Dataset {
    /** The stream tag of {@link #generate} videos, apart from the splits' tags (their ordinals). */
    private static final int DIRECT_STREAM = 1 << 16;

    private final MovingShapesConfig config;
    private final Split split;
    private final int size;
    private final long seed;
    private final List<Attributes> combinations;

    public MovingShapes(MovingShapesConfig config, Split split, int size, long seed) {
        if (size < 0) throw new IllegalArgumentException("MovingShapes: negative size " + size);
        this.config = config;
        this.split = split;
        this.size = size;
        this.seed = seed;
        this.combinations = combinations(split);
    }

    /** Whether a combination is kept out of training (see the class comment for the rule). */
    public static boolean isHeldOut(Attributes a) {
        return (a.colour().ordinal() + a.shape().ordinal() + a.direction().ordinal()) % 8 == 0;
    }

    /** The combinations a split draws from, in {@link Attributes#all()} order. */
    public static List<Attributes> combinations(Split split) {
        List<Attributes> out = new ArrayList<>();
        for (Attributes a : Attributes.all()) if (isHeldOut(a) == (split == Split.HELD_OUT)) out.add(a);
        return List.copyOf(out);
    }

    /**
     * One video of the given attributes, [3, frames, height, width]; {@code index} picks among the endless variants
     * of the caption. These streams are disjoint from every split's, so such videos never repeat dataset videos.
     */
    public static Tensor generate(MovingShapesConfig config, Attributes attributes, long seed, int index) {
        float[] data = new float[config.videoNumel()];
        MovingShapesRenderer.render(config, attributes, new PhiloxStream(seed, DIRECT_STREAM, index), data, 0);
        return Tensor.of(data, config.videoShape());
    }

    public MovingShapesConfig config() {
        return config;
    }

    public Split split() {
        return split;
    }

    public long seed() {
        return seed;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] videoShape() {
        return config.videoShape();
    }

    /** The attributes of video {@code index}, without drawing it. */
    public Attributes attributes(int index) {
        Dataset.checkIndex(index, size);
        return combinations.get(index % combinations.size());
    }

    @Override
    public Sample get(int index) {
        float[] data = new float[config.videoNumel()];
        Attributes a = render(index, data, 0);
        return new Sample(Tensor.of(data, config.videoShape()), a.caption(), a);
    }

    /** Draws every video straight into the batch's buffer. */
    @Override
    public Batch batch(int[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("MovingShapes.batch: no indices given");
        int n = config.videoNumel();
        float[] data = new float[Math.multiplyExact(indices.length, n)];
        List<String> captions = new ArrayList<>();
        List<Attributes> attributes = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            Attributes a = render(indices[i], data, i * n);
            captions.add(a.caption());
            attributes.add(a);
        }
        int[] shape = {indices.length, 3, config.frames(), config.height(), config.width()};
        return new Batch(Tensor.of(data, shape), captions, attributes, indices, 0);
    }

    private Attributes render(int index, float[] out, int at) {
        Attributes a = attributes(index);
        MovingShapesRenderer.render(config, a, new PhiloxStream(seed, split.ordinal(), index), out, at);
        return a;
    }

    @Override
    public String toString() {
        return "MovingShapes(" + split + ", " + size + " videos of " + config + ", seed " + seed + ")";
    }
}
