package org.ddrl.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.BatchIterator;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.junit.jupiter.api.Test;

/** A resumed run's data: an iterator started at batch k gives what a fresh one gives from its k-th batch on. */
class DataPositionTest {
    @Test
    void startingAtABatchSkipsExactlyTheBatchesBefore() {
        var data = new MovingShapes(MovingShapesConfig.TINY, Split.TRAIN, 10, 3);
        // 3 batches of 3 an epoch (the last video of each epoch dropped), so 7 crosses two epoch boundaries
        try (BatchIterator fresh = new BatchIterator(data, 3, BatchIterator.FOREVER, 5, true, true, 1);
             BatchIterator late = new BatchIterator(data, 3, BatchIterator.FOREVER, 5, true, true, 1, 7)) {
            for (int i = 0; i < 7; i++) fresh.next().close();
            for (int i = 0; i < 4; i++) {
                try (Batch a = fresh.next(); Batch b = late.next()) {
                    assertArrayEquals(a.indices(), b.indices(), "batch " + (7 + i));
                    assertEquals(a.epoch(), b.epoch());
                    assertArrayEquals(a.videos().toFloatArray(), b.videos().toFloatArray());
                }
            }
        }
    }
}
