package org.ddrl.diffusion.data;

/**
 * Which part of the moving-shapes data a video belongs to. TRAIN and VALIDATION draw from the same colour-shape-
 * direction combinations but from disjoint random streams, so validation videos are new instances of seen prompts
 * (for the held-out diffusion loss); HELD_OUT uses only the combinations kept out of training entirely (see
 * {@link MovingShapes#isHeldOut}).
 */
public enum Split {
    TRAIN,
    VALIDATION,
    HELD_OUT
}
