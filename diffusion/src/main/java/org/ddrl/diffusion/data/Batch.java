package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * A batch of videos, [B, 3, frames, height, width] F32 in [-1, 1], with the captions, the attributes (entries null
 * where unknown), the dataset indices the videos came from, and the epoch that drew them (0 outside a
 * {@link BatchIterator}).
 *
 * <p>The videos tensor owns its storage alone. {@link #close()} releases it at once; a batch that is never closed is
 * freed by the garbage collector, or by the scope that was open on the thread that built it. Batches from a
 * {@link BatchIterator} are built on its background thread, where no scope is open, so close them (try-with-
 * resources) to keep memory flat; views of the videos tensor die with it.
 */
public record Batch(Tensor videos, List<String> captions, List<Attributes> attributes, int[] indices, int epoch)
        implements AutoCloseable {
    public Batch {
        int b = videos.size(0);
        if (captions.size() != b || attributes.size() != b || indices.length != b) {
            throw new IllegalArgumentException("Batch: " + b + " videos but " + captions.size() + " captions, "
                    + attributes.size() + " attribute entries and " + indices.length + " indices");
        }
        captions = List.copyOf(captions);
        attributes = Collections.unmodifiableList(new ArrayList<>(attributes));
        indices = indices.clone();
    }

    /** Number of videos. */
    public int size() {
        return videos.size(0);
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** Releases the videos tensor's memory now; idempotent. */
    @Override
    public void close() {
        videos.storage().release();
    }
}
