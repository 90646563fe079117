package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * A fixed-size, random-access collection of videos, all of one shape [3, frames, height, width], F32 in [-1, 1].
 * Implementations must allow {@link #get} and {@link #batch} from any thread (a {@link BatchIterator} calls them on
 * its background thread).
 */
public interface Dataset {
    int size();

    /** The video at {@code index}, in [0, size()). */
    Sample get(int index);

    /** The shape every video has: [3, frames, height, width]. */
    int[] videoShape();

    /**
     * The videos at the given indices stacked into one new tensor [B, 3, frames, height, width]. The default stacks
     * {@link #get} results; implementations that build videos on the fly override it to write straight into the
     * batch.
     */
    default Batch batch(int[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("Dataset.batch: no indices given");
        Tensor[] videos = new Tensor[indices.length];
        List<String> captions = new ArrayList<>();
        List<Attributes> attributes = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            Sample s = get(checkIndex(indices[i], size()));
            videos[i] = s.video();
            captions.add(s.caption());
            attributes.add(s.attributes());
        }
        return new Batch(Tensor.stack(0, videos), captions, attributes, indices, 0);
    }

    /** Checks a dataset index, naming the size in the error. */
    static int checkIndex(int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Dataset: index " + index + " out of range for a dataset of " + size + " videos");
        }
        return index;
    }
}
