package org.ddrl.rl.judge;

import org.ddrl.tensor.Tensor;

/**
 * FVD-mini: the squared {@link FrechetDistance} between Gaussian fits of {@link FeatureNet} features of generated
 * videos and of real videos. The real side is fitted once; like FVD, the value is biased upwards for small sample
 * counts (two samples of the same distribution score above 0, less so the more videos), so compare arms at the same
 * number of videos.
 */
public final class FvdMini {
    private final FeatureNet net;
    private final GaussianFit real;

    /** Fits the real side: videos [N, 3, frames, height, width], N >= 2. */
    public FvdMini(FeatureNet net, Tensor realVideos) {
        this(net, GaussianFit.of(net.features(realVideos)));
    }

    /** With a real-side fit already computed from this network's features. */
    public FvdMini(FeatureNet net, GaussianFit real) {
        if (real.dims() != FeatureNet.FEATURES) {
            throw new IllegalArgumentException("FvdMini: the real fit has " + real.dims() + " dims, the network gives " + FeatureNet.FEATURES);
        }
        this.net = net;
        this.real = real;
    }

    /** The real videos' fit. */
    public GaussianFit real() {
        return real;
    }

    /** FVD-mini of videos [N, 3, frames, height, width], N >= 2. */
    public double score(Tensor videos) {
        return score(net.features(videos));
    }

    /** FVD-mini of feature rows already computed by this network. */
    public double score(double[][] features) {
        return FrechetDistance.between(GaussianFit.of(features), real);
    }
}
