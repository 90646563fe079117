package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.kernels.cpu.HostMemory;
import org.junit.jupiter.api.Test;

/** Deterministic release of tensors through scopes, and the accounting that proves it. */
class ScopeTest {
    /**
     * The off-heap counter is process-wide and the Cleaner frees other tests' unreachable tensors in the
     * background; collect until it stands still so the deltas below are ours alone.
     */
    private static long quiescentBytes() throws InterruptedException {
        long last = -1;
        for (int stable = 0, i = 0; stable < 3 && i < 100; i++) {
            System.gc();
            Thread.sleep(10);
            long now = HostMemory.allocatedBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    @Test
    void allocatedBytesReturnToBaseline() throws InterruptedException {
        long before = quiescentBytes();
        Tensor a, t, b;
        try (Scope scope = Scope.open()) {
            a = Tensor.ones(DType.F32, Device.CPU, 256, 256);
            t = a.transpose(0, 1).contiguous();
            b = t.to(DType.F64);
            // per buffer, not through the process-wide counter, which the Cleaner lowers at any moment
            for (Tensor x : new Tensor[] {a, t, b}) assertFalse(x.storage().isReleased(), "three buffers are live");
            assertTrue(scope.size() >= 3);
        }
        for (Tensor x : new Tensor[] {a, t, b}) assertTrue(x.storage().isReleased(), "every buffer of the scope is freed on close");
        // not equality: the Cleaner may free other tests' garbage meanwhile, but nothing of ours may stay allocated
        assertTrue(HostMemory.allocatedBytes() <= before, "allocated bytes back to the baseline " + before + ": " + HostMemory.allocatedBytes());
    }

    @Test
    void keptTensorsMoveToTheEnclosingScope() throws InterruptedException {
        long before = quiescentBytes();
        Tensor kept;
        Tensor dropped;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                dropped = Tensor.ones(DType.F32, Device.CPU, 1000);
                kept = inner.keep(Tensor.full(2, DType.F32, Device.CPU, 1000));
            }
            assertTrue(dropped.storage().isReleased());
            assertFalse(kept.storage().isReleased());
            assertEquals(2.0, kept.toFloatArray()[999]);
            assertEquals(1, outer.size());
        }
        assertTrue(kept.storage().isReleased(), "the enclosing scope frees what the inner one kept");
        assertTrue(HostMemory.allocatedBytes() <= before, "allocated bytes back to the baseline " + before + ": " + HostMemory.allocatedBytes());
    }

    @Test
    void useAfterCloseIsAClearError() {
        Tensor t;
        try (Scope scope = Scope.open()) {
            t = Tensor.ones(DType.F32, Device.CPU, 3);
        }
        var e = assertThrows(IllegalStateException.class, () -> t.contiguous().copy());
        assertTrue(e.getMessage().contains("released") && e.getMessage().contains("Scope"), e.getMessage());
        var e2 = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e2.getMessage().contains("released"), e2.getMessage());
    }

    @Test
    void scopesCloseInReverseOrder() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        var e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("reverse order"), e.getMessage());
        inner.close();
        outer.close();
        assertEquals(null, Scope.current());
    }

    @Test
    void viewsKeepTheirStorageAlive() {
        Tensor view;
        try (Scope scope = Scope.open()) {
            Tensor base = Tensor.arange(0, 12, 1, DType.F32, Device.CPU).view(3, 4);
            view = scope.keep(base.t());
        }
        assertEquals(4.0f, view.contiguous().toFloatArray()[1]);
    }
}
