package org.ddrl.kernels.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums of a vector's lanes in one fixed order. {@code reduceLanes(ADD)} may add the lanes in a different
 * order once the JIT compiles a loop than while it is interpreted, so the same call could return results
 * differing in the last bit, and RL recomputations that must reproduce a rollout bit for bit would not.
 * Here the upper half is folded onto the lower half until one lane is left: the same additions in every
 * JIT tier.
 */
public final class LaneSums {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Float>[] F_FOLDS = folds(FS);
    private static final VectorShuffle<Double>[] D_FOLDS = folds(DS);

    private LaneSums() {}

    @SuppressWarnings("unchecked")
    private static <E> VectorShuffle<E>[] folds(VectorSpecies<E> species) {
        int steps = Integer.numberOfTrailingZeros(species.length());
        VectorShuffle<E>[] out = new VectorShuffle[steps];
        for (int s = 0, half = species.length() / 2; s < steps; s++, half /= 2) {
            out[s] = VectorShuffle.iota(species, half, 1, true); // lane i reads lane i + half (wrapping)
        }
        return out;
    }

    /** The sum of all lanes of a vector of the preferred float species. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : F_FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }

    /** The sum of all lanes of a vector of the preferred double species. */
    public static double sum(DoubleVector v) {
        for (VectorShuffle<Double> fold : D_FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }
}
