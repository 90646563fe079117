package org.ddrl.rl.algo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddrl.rl.config.DdrlConfig;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;

/**
 * DDRL's regularizer (cosmos-rl, use_rl_sigma_and_noise): at a trained step with noise level sigma_hat, the
 * EDM-weighted x0 loss of the policy on the anchor video paired with each rollout's prompt, noised to sigma_hat with the
 * rollout's own initial noise z0 ({@link DataLoss}), with each caption replaced by "" with probability
 * {@code text_dropout}; weighted by {@code data_beta}. With {@code data_once_per_sample} it is computed at the first
 * trained step of each micro-batch only and weighted by the number of trained steps, so that its total weight per
 * rollout is unchanged. Logs "data_loss" (unweighted).
 */
public final class Ddrl implements Algorithm {
    private final DdrlConfig config;

    public Ddrl(DdrlConfig config) {
        this.config = config;
    }

    @Override
    public boolean needsAnchors() {
        return true;
    }

    @Override
    public Term term(StepContext ctx) {
        if (config.dataBeta() == 0) return null;
        if (config.dataOncePerSample() && ctx.trainedIndex() != 0) return null;
        if (ctx.anchors() == null) throw new IllegalStateException("Ddrl: no anchor videos were given for the data loss");
        List<String> captions = dropCaptions(ctx.captions(), config.textDropout(), ctx);
        Tensor loss = DataLoss.edmWeightedX0(ctx.policy().model(), ctx.anchors(), ctx.trajectory().noise(), ctx.rfTime(),
                ctx.policy().condition(captions));
        double weight = config.dataBeta() * (config.dataOncePerSample() ? ctx.trainedCount() : 1);
        return new Term(loss.mul(weight), Map.of("data_loss", loss.item()));
    }

    /** Each caption replaced by "" where a uniform draw falls below p (one draw per caption, in order). */
    static List<String> dropCaptions(List<String> captions, double p, StepContext ctx) {
        if (p == 0) return captions;
        float[] u = Tensor.rand(ctx.gen(), DType.F32, Device.CPU, captions.size()).toFloatArray();
        List<String> out = new ArrayList<>(captions.size());
        for (int i = 0; i < captions.size(); i++) out.add(u[i] < p ? "" : captions.get(i));
        return out;
    }
}
