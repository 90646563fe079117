package org.ddrl.rl.policy;

import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.tensor.Tensor;

/**
 * The model RL fine-tunes, as the trainer sees it: a deterministic velocity model, how captions become its
 * conditioning, and its trainable parameters.
 *
 * <p>Contract. {@link #model()} and {@link #condition} must be deterministic functions of the weights and inputs (no
 * dropout: keep modules in eval mode), so that recomputing a rollout step with unchanged weights reproduces it bit for
 * bit. {@link #condition} is called with grad mode on during training, so a text encoder among the parameters is
 * trained too; the empty caption "" must give the unconditional conditioning (caption dropout replaces captions by
 * "", as in pre-training), and the returned Conditioning should carry the "" conditioning as its unconditional
 * variant when guidance is to be used.
 */
public interface Policy {
    /** The velocity network (reads the current weights on every call). */
    VelocityModel model();

    /** The conditioning of a batch of captions, one per sample. */
    Conditioning condition(List<String> captions);

    /** The trainable parameters by name: leaf tensors that require grad. */
    Map<String, Tensor> parameters();

    /**
     * A copy with the current weights that is never trained (parameters do not require grad): the frozen reference of
     * the reverse-KL baseline and the base model that draws synthetic anchor data.
     */
    Policy frozenCopy();
}
