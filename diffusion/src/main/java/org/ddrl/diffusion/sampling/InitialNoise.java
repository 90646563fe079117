package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/** Starting noise for a batch of rollouts grouped by prompt (group members contiguous in the batch). */
public final class InitialNoise {
    private InitialNoise() {}

    /** One independent N(0, I) draw per sample: [groups * groupSize, sampleShape...]. */
    public static Tensor independent(Generator gen, int groups, int groupSize, int... sampleShape) {
        return Tensor.randn(gen, batchShape("independent", groups, groupSize, sampleShape));
    }

    /** One draw per group, repeated for each of its groupSize members (DanceGRPO's init_same_noise). */
    public static Tensor sharedPerGroup(Generator gen, int groups, int groupSize, int... sampleShape) {
        int[] shape = batchShape("sharedPerGroup", groups, groupSize, sampleShape);
        int[] perGroup = new int[sampleShape.length + 2];
        perGroup[0] = groups;
        perGroup[1] = 1;
        System.arraycopy(sampleShape, 0, perGroup, 2, sampleShape.length);
        int[] expanded = perGroup.clone();
        expanded[1] = groupSize;
        return Tensor.randn(gen, perGroup).expand(expanded).contiguous().reshape(shape);
    }

    private static int[] batchShape(String op, int groups, int groupSize, int[] sampleShape) {
        if (groups < 1 || groupSize < 1) {
            throw new IllegalArgumentException("InitialNoise." + op + ": need groups >= 1 and groupSize >= 1, got " + groups + " x " + groupSize);
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = Math.multiplyExact(groups, groupSize);
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }
}
