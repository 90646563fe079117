package org.ddrl.rl.judge;

import java.util.Arrays;
import org.ddrl.autodiff.nn.Conv1d;
import org.ddrl.autodiff.nn.Conv2d;
import org.ddrl.autodiff.nn.GroupNorm;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.data.Colour;
import org.ddrl.diffusion.data.Direction;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Shape;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The judge's feature network for FVD-mini, diversity and the realism distance: a video embedding trained on real
 * moving-shapes videos only, and never used as a reward.
 *
 * <p>Its architecture differs on purpose from the reward classifier's (a 3D conv net), so that a policy that learns to
 * fool the reward does not fool the judge by the same route. Each frame goes through its own 2D encoder: conv 3-8
 * (stride {@link #stemStride}), conv 8-32 stride 2, both with GroupNorm and SiLU, then one linear map to
 * {@link #FRAME_FEATURES} of the whole 32-channel map (which keeps where the object is, for the next stage to see
 * motion) together with the map's spatial mean and max (which say what the object looks like wherever it is, so that
 * shape need not be learned anew at every position). A temporal conv over the frame embeddings (kernel 3) then sees the
 * object move, and the mean over time is the video's feature vector of {@link #FEATURES} numbers (after SiLU, like the
 * pooled activations FID uses).
 *
 * <p>Training objective (see {@link FeatureNetTraining}), two tasks on real videos through linear heads on the feature
 * vector: what the video shows (colour, shape and direction classification) and how it looks (which {@link Distortion},
 * if any, was applied to it: saturation, contrast, brightness, noise, blur). The first makes FVD-mini see a policy that
 * draws the wrong things, the second one that draws the right things the wrong way, the reward hacker's usual route.
 * The heads are only there to shape the features; the judge reads the feature vector.
 */
public final class FeatureNet extends Module {
    /** Width of the per-frame embedding. */
    public static final int FRAME_FEATURES = 48;
    /** Length of a video's feature vector. */
    public static final int FEATURES = 32;

    private final MovingShapesConfig config;
    private final Conv2d conv1;
    private final GroupNorm norm1;
    private final Conv2d conv2;
    private final GroupNorm norm2;
    private final Linear frame;
    private final Conv1d temporal;
    private final Linear colourHead;
    private final Linear shapeHead;
    private final Linear directionHead;
    private final Linear distortionHead;

    /** A new network for videos of this size, initialized from {@code gen}. */
    public FeatureNet(MovingShapesConfig config, Generator gen) {
        this.config = config;
        int stem = stemStride(config);
        conv1 = registerModule("conv1", new Conv2d(3, 8, 3, stem, 1, gen));
        norm1 = registerModule("norm1", new GroupNorm(2, 8));
        conv2 = registerModule("conv2", new Conv2d(8, 32, 3, 2, 1, gen));
        norm2 = registerModule("norm2", new GroupNorm(8, 32));
        frame = registerModule("frame", new Linear(32 * (mapSide(config.height(), stem) * mapSide(config.width(), stem) + 2),
                FRAME_FEATURES, gen));
        temporal = registerModule("temporal", new Conv1d(FRAME_FEATURES, FEATURES, 3, 1, 1, gen));
        colourHead = registerModule("colour_head", new Linear(FEATURES, Colour.values().length, gen));
        shapeHead = registerModule("shape_head", new Linear(FEATURES, Shape.values().length, gen));
        directionHead = registerModule("direction_head", new Linear(FEATURES, Direction.values().length, gen));
        distortionHead = registerModule("distortion_head", new Linear(FEATURES, Distortion.values().length, gen));
    }

    /**
     * The first conv's stride: 1 up to 31 pixels a side, where an object is only 6 or 7 pixels across and a stride
     * would blur shapes together; 2 from 32 pixels on, where objects are twice as large, so that every size costs
     * about the same per frame.
     */
    static int stemStride(MovingShapesConfig config) {
        return Math.min(config.height(), config.width()) >= 32 ? 2 : 1;
    }

    /** Side of the map after the first conv (stride {@code stem}) and the second (stride 2), both kernel 3, padding 1. */
    private static int mapSide(int side, int stem) {
        int once = (side - 1) / stem + 1;
        return (once - 1) / 2 + 1;
    }

    public MovingShapesConfig config() {
        return config;
    }

    /** Feature vectors [B, FEATURES] of videos [B, 3, frames, height, width] of this network's size. */
    public Tensor forward(Tensor videos) {
        int[] s = videos.shape();
        if (s.length != 5 || s[1] != 3 || s[2] != config.frames() || s[3] != config.height() || s[4] != config.width()) {
            throw new IllegalArgumentException(describe() + ": expected videos [B, 3, " + config.frames() + ", " + config.height()
                    + ", " + config.width() + "], got " + Shapes.str(s));
        }
        int b = s[0], t = s[2];
        Tensor frames = videos.permute(0, 2, 1, 3, 4).reshape(b * t, 3, s[3], s[4]);
        Tensor h = norm1.forward(conv1.forward(frames)).silu();
        h = norm2.forward(conv2.forward(h)).silu();
        Tensor map = h.reshape(b * t, 32, -1);
        Tensor pooled = Tensor.cat(1, map.reshape(b * t, -1), map.mean(2), map.max(new int[] {2}, false));
        Tensor perFrame = frame.forward(pooled.reshape(b, t, -1)).silu();             // [B, T, FRAME_FEATURES]
        Tensor overTime = temporal.forward(perFrame.permute(0, 2, 1)).silu();       // [B, FEATURES, T]
        return overTime.mean(2);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    /** The classification heads' logits for feature vectors [B, FEATURES]: colour, shape, direction, distortion. */
    Tensor[] heads(Tensor features) {
        return new Tensor[] {colourHead.forward(features), shapeHead.forward(features), directionHead.forward(features),
                distortionHead.forward(features)};
    }

    /**
     * Feature vectors of videos [N, 3, frames, height, width] as rows of doubles, computed in eval mode without
     * gradients, {@code batch} videos at a time so memory stays flat for large N.
     */
    public double[][] features(Tensor videos, int batch) {
        if (batch < 1) throw new IllegalArgumentException("FeatureNet.features: batch must be positive, got " + batch);
        if (videos.dim() != 5) {
            throw new IllegalArgumentException("FeatureNet.features: expected videos [N, 3, frames, height, width], got "
                    + Shapes.str(videos.shape()));
        }
        boolean wasTraining = isTraining();
        eval();
        int n = videos.size(0);
        double[][] out = new double[n][];
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (int lo = 0; lo < n; lo += batch) {
                int len = Math.min(batch, n - lo);
                try (Scope scope = Scope.open()) {
                    double[] flat = forward(videos.narrow(0, lo, len)).toDoubleArray();
                    for (int i = 0; i < len; i++) out[lo + i] = Arrays.copyOfRange(flat, i * FEATURES, (i + 1) * FEATURES);
                }
            }
        } finally {
            train(wasTraining);
        }
        return out;
    }

    /** {@link #features(Tensor, int)} 64 videos at a time. */
    public double[][] features(Tensor videos) {
        return features(videos, 64);
    }

    @Override
    protected String extraRepr() {
        return "frames=" + config.frames() + ", height=" + config.height() + ", width=" + config.width() + ", features=" + FEATURES;
    }
}
