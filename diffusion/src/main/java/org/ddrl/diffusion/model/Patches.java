package org.ddrl.diffusion.model;

import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Cutting a video into non-overlapping pt x ph x pw patches and back. Tokens are in t-major order (token
 * index (t * H' + h) * W' + w over the patch grid), the order {@link org.ddrl.autodiff.nn.Rope3d#tables(int, int, int)}
 * assumes; each token's features are ordered (channel, dt, dh, dw), the layout of a Conv3d weight
 * [out, C, pt, ph, pw], so a Linear on patches is a Conv3d with stride = kernel = patch size.
 */
final class Patches {
    private Patches() {}

    /** x [B, C, T, H, W] to [B, T/pt * H/ph * W/pw, C * pt * ph * pw]. */
    static Tensor patchify(Tensor x, int pt, int ph, int pw) {
        int b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
        if (t % pt != 0 || h % ph != 0 || w % pw != 0) {
            throw new IllegalArgumentException("patchify: video " + Shapes.str(x.shape()) + " is not a whole number of "
                    + pt + "x" + ph + "x" + pw + " patches (frames, height and width must be multiples)");
        }
        int gt = t / pt, gh = h / ph, gw = w / pw;
        return x.reshape(b, c, gt, pt, gh, ph, gw, pw).permute(0, 2, 4, 6, 1, 3, 5, 7).reshape(b, gt * gh * gw, c * pt * ph * pw);
    }

    /** tokens [B, gt * gh * gw, C * pt * ph * pw] back to [B, C, gt * pt, gh * ph, gw * pw]. */
    static Tensor unpatchify(Tensor tokens, int c, int[] grid, int pt, int ph, int pw) {
        int b = tokens.size(0), gt = grid[0], gh = grid[1], gw = grid[2];
        return tokens.reshape(b, gt, gh, gw, c, pt, ph, pw).permute(0, 4, 1, 5, 2, 6, 3, 7).reshape(b, c, gt * pt, gh * ph, gw * pw);
    }
}
