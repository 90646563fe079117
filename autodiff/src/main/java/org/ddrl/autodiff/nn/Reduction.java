package org.ddrl.autodiff.nn;

/** How a loss reduces its per-element values (PyTorch's reduction argument). */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (over the counted elements, for losses that ignore some). */
    MEAN,
    /** Their sum. */
    SUM
}
