package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * What Conv1d, Conv2d and Conv3d share: settings, parameters, PyTorch's initialization and the input
 * checks. weight [out_channels, in_channels / groups, *kernel_size], bias [out_channels]; weight
 * kaiming-uniform with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels /
 * groups * prod(kernel_size). Per-dim settings are given as one value for every dim or one per dim.
 */
public abstract sealed class ConvNd extends Module permits Conv1d, Conv2d, Conv3d {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;

    ConvNd(int dims, int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
           boolean bias, Generator gen) {
        String name = getClass().getSimpleName();
        this.kernelSize = perDim(name, "kernel_size", kernelSize, dims, 1);
        this.stride = perDim(name, "stride", stride, dims, 1);
        this.padding = perDim(name, "padding", padding, dims, 0);
        this.dilation = perDim(name, "dilation", dilation, dims, 1);
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": need positive in_channels (" + inChannels + ") and out_channels ("
                    + outChannels + ") divisible by groups (" + groups + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] wShape = new int[dims + 2];
        wShape[0] = outChannels;
        wShape[1] = inChannels / groups;
        System.arraycopy(this.kernelSize, 0, wShape, 2, dims);
        Tensor w = registerParameter("weight", Tensor.zeros(DType.F32, wShape));
        Init.kaimingUniform(w, Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);
        if (bias) {
            double bound = 1 / Math.sqrt(Init.fans(w)[0]);
            Init.uniform(registerParameter("bias", Tensor.zeros(DType.F32, outChannels)), -bound, bound, gen);
        }
    }

    private static int[] perDim(String layer, String what, int[] v, int dims, int min) {
        int[] out;
        if (v.length == 1) {
            out = new int[dims];
            Arrays.fill(out, v[0]);
        } else if (v.length == dims) {
            out = v.clone();
        } else {
            throw new IllegalArgumentException(layer + ": " + what + " needs 1 or " + dims + " values, got " + Arrays.toString(v));
        }
        for (int x : out) {
            if (x < min) throw new IllegalArgumentException(layer + ": " + what + " values must be >= " + min + ", got " + Arrays.toString(v));
        }
        return out;
    }

    /** The functional convolution of this rank. */
    abstract Tensor conv(Tensor x, Tensor weight, Tensor bias);

    public Tensor weight() {
        return param("weight");
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return paramOrNull("bias");
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int groups() {
        return groups;
    }

    public int[] kernelSize() {
        return kernelSize.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }

    /** x [N, in_channels, *spatial] to [N, out_channels, *out_spatial]; out = (in + 2 pad - dil (k - 1) - 1) / stride + 1. */
    public Tensor forward(Tensor x) {
        int dims = kernelSize.length;
        if (x.dim() != dims + 2 || x.size(1) != inChannels) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must be [N, " + inChannels
                    + ", " + spatialNames(dims) + "]");
        }
        for (int d = 0; d < dims; d++) {
            int span = dilation[d] * (kernelSize[d] - 1) + 1;
            if (x.size(d + 2) + 2 * padding[d] < span) {
                throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " is too small: spatial dim "
                        + d + " is " + x.size(d + 2) + " plus padding 2x" + padding[d] + ", the dilated kernel spans " + span);
            }
        }
        return conv(x, weight(), bias());
    }

    private static String spatialNames(int dims) {
        return switch (dims) {
            case 1 -> "L";
            case 2 -> "H, W";
            default -> "D, H, W";
        };
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(Arrays.toString(kernelSize)).append(", stride=").append(Arrays.toString(stride));
        if (Arrays.stream(padding).anyMatch(p -> p != 0)) sb.append(", padding=").append(Arrays.toString(padding));
        if (Arrays.stream(dilation).anyMatch(p -> p != 1)) sb.append(", dilation=").append(Arrays.toString(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias() == null) sb.append(", bias=false");
        return sb.toString();
    }
}
