package org.ddrl.tensor;

/**
 * A block of device memory that tensors view. Storages are owned by the innermost open {@link Scope}
 * when they are created (or by the garbage collector, through a Cleaner, when no scope is open) and
 * released exactly once. Using a tensor whose storage was released is an error that names the op.
 */
public abstract class Storage {
    private final Device device;
    private final long byteSize;
    private volatile boolean released;
    private volatile int version;
    /** The scope that releases this storage when it closes; null when the GC owns it. Guarded by the owner thread. */
    Scope owner;

    protected Storage(Device device, long byteSize) {
        this.device = device;
        this.byteSize = byteSize;
    }

    public final Device device() {
        return device;
    }

    public final long byteSize() {
        return byteSize;
    }

    /** Counts in-place writes, so autodiff can tell when a tensor it saved for backward was modified. */
    public final int version() {
        return version;
    }

    /** Called by every in-place write into this storage. */
    public final void bumpVersion() {
        version++;
    }

    public final boolean isReleased() {
        return released;
    }

    /** Frees the memory now. Idempotent. Tensors viewing this storage become unusable. */
    public final void release() {
        if (released) return;
        released = true;
        free();
    }

    /** Frees the device memory; called at most once. */
    protected abstract void free();

    /** Throws a clear error if this storage was released; {@code op} names the operation that wanted it. */
    public final void checkLive(String op) {
        if (released) {
            throw new IllegalStateException(op + ": the tensor's storage (" + byteSize + " bytes on " + device
                    + ") was released, most likely because the Scope that owned it was closed; keep the tensor "
                    + "(Scope.keep) or create it in an outer scope");
        }
    }
}
