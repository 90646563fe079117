package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.AttentionGrads;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/** The fused attention gradient (SDPA_BACKWARD) on CUDA devices against the F64 reference. */
class CudaAttentionBackwardTest {
    private final Random rnd = new Random(31);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        return OpCheck.random(rnd, dt, lo, hi, shape);
    }

    /** q, k, v, a random output gradient of the forward's shape, the mask. */
    private Tensor[] inputs(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        Tensor out = Functional.scaledDotProductAttention(q, k, v, mask, a.b("causal"), a.d("scale"));
        return new Tensor[] {q, k, v, rand(q.dtype(), -1, 1, out.shape()), mask};
    }

    @Test
    void masksCausalityBroadcastAndLayouts() {
        Attrs causal = Attrs.of("causal", true, "scale", Double.NaN), plain = Attrs.of("causal", false, "scale", 0.3);
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
                // heads split out of [B, T, H, E], 33 keys and 33 queries (two tiles each), a BOOL mask broadcast over the batch
                Tensor q = rand(dt, -1, 1, 2, 33, 3, 16).transpose(1, 2), k = rand(dt, -1, 1, 2, 3, 33, 16);
                Tensor v = rand(dt, -1, 1, 2, 3, 33, 8);
                Tensor mask = rand(DType.BOOL, 0, 2, 33, 33).logicalOr(Tensor.eye(33, 33, DType.BOOL, Device.CPU));
                DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, causal, inputs(causal, q, k, v, mask));
                DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, plain, inputs(plain, q, k, v, null));
                DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, plain, inputs(plain, q, k, v, rand(dt, -2, 0, 3, 1, 33)));
                // Tq != Tk both ways, E != Ev, keys and values shared by the batch
                DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, causal, inputs(causal, rand(dt, -1, 1, 2, 17, 5), rand(dt, -1, 1, 3, 5),
                        rand(dt, -1, 1, 3, 7), null));
                DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, causal, inputs(causal, rand(dt, -1, 1, 2, 3, 5), rand(dt, -1, 1, 2, 17, 5),
                        rand(dt, -1, 1, 2, 17, 1), null));
            }
            // every input in transposed, strided and offset layouts made on the device
            Attrs a = Attrs.of("causal", true, "scale", Double.NaN);
            DeviceCheck.checkLayouts(dev, 12, Op.SDPA_BACKWARD, a, inputs(a, rand(DType.F32, -1, 1, 2, 17, 9),
                    rand(DType.F32, -1, 1, 2, 33, 9), rand(DType.F32, -1, 1, 2, 33, 3), rand(DType.BOOL, 0, 2, 17, 33)
                            .logicalOr(Tensor.eye(17, 33, DType.BOOL, Device.CPU))));
        }
    }

    /** More than 256 columns in E and Ev: several launch rows, each recomputing the weights. */
    @Test
    void wideEmbeddings() {
        Attrs a = Attrs.of("causal", false, "scale", Double.NaN);
        for (Device dev : DeviceCheck.devices()) {
            DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, a, inputs(a, rand(DType.F32, -1, 1, 3, 300), rand(DType.F32, -1, 1, 5, 300),
                    rand(DType.F32, -1, 1, 5, 270), null));
        }
    }

    /**
     * A row whose keys are all masked adds nothing (dq 0, no NaN); a row with one visible key has dq exactly 0;
     * no keys or no queries give zeros; results repeat bit for bit.
     */
    @Test
    void fullyMaskedRowsEmptySizesAndRepeatability() {
        Attrs a = Attrs.of("causal", false, "scale", Double.NaN);
        for (Device dev : DeviceCheck.devices()) {
            Tensor q = rand(DType.F32, -1, 1, 3, 4), k = rand(DType.F32, -1, 1, 5, 4), v = rand(DType.F32, -1, 1, 5, 2);
            Tensor mask = Tensor.of(new boolean[] {true, false, true, false, true, false, false, false, false, false, true, false, false,
                false, false}, 3, 5);
            Tensor[] in = inputs(a, q, k, v, mask);
            Tensor packed = DeviceCheck.check(dev, 12, Op.SDPA_BACKWARD, a, in);
            for (double x : packed.toDoubleArray()) assertTrue(Double.isFinite(x), "gradient " + x);
            AttentionGrads d = AttentionGrads.unpack(packed, q, k, v);
            assertArrayEquals(new double[4], d.dq().select(0, 1).toDoubleArray(), 0);
            assertArrayEquals(new double[4], d.dq().select(0, 2).toDoubleArray(), 0); // row 2 sees key 0 only
            Tensor[] onDev = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) onDev[i] = in[i].to(dev);
            assertArrayEquals(packed.toFloatArray(), Dispatch.call(Op.SDPA_BACKWARD, a, onDev).toFloatArray());

            Tensor none = Dispatch.call(Op.SDPA_BACKWARD, a, q.to(dev), Tensor.zeros(DType.F32, dev, 0, 4), Tensor.zeros(DType.F32, dev, 0, 2),
                    Tensor.zeros(DType.F32, dev, 3, 2));
            assertArrayEquals(new float[12], none.toFloatArray());
            assertEquals(dev, none.device());
            Tensor noQueries = Dispatch.call(Op.SDPA_BACKWARD, a, Tensor.zeros(DType.F32, dev, 0, 4), k.to(dev), v.to(dev),
                    Tensor.zeros(DType.F32, dev, 0, 2));
            assertArrayEquals(new float[5 * 4 + 5 * 2], noQueries.toFloatArray());
        }
    }
}
