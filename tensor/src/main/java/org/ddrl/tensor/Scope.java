package org.ddrl.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic lifetime for tensors. Every storage created on a thread while a scope is open belongs
 * to the innermost open scope and is released when that scope closes, unless it was kept:
 *
 * <pre>{@code
 * Tensor y;
 * try (var scope = Scope.open()) {
 *     Tensor h = x.matmul(w).relu();    // released at the end of the block
 *     y = scope.keep(h.sum());          // survives: moves to the enclosing scope (or to the GC)
 * }
 * }</pre>
 *
 * Storages created with no scope open are freed by a Cleaner when unreachable, a safety net for scripts
 * and tests; long-lived state (parameters, optimizer state) belongs in a long-lived scope.
 * Scopes nest per thread and must be closed in reverse order of opening, on the thread that opened them.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread thread;
    private final List<Storage> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope nested in the current thread's innermost scope. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static Scope current() {
        return CURRENT.get();
    }

    /** Called by backends for every new storage. */
    public static void adopt(Storage storage) {
        Scope s = CURRENT.get();
        if (s != null) {
            storage.owner = s;
            s.owned.add(storage);
        }
    }

    /**
     * Keeps the tensor's storage alive past this scope: it moves to the enclosing scope, or to the
     * garbage collector when this is the outermost scope. Returns the tensor, for chaining.
     */
    public Tensor keep(Tensor t) {
        Storage st = t.storage();
        if (st.owner == this) {
            st.owner = parent;
            if (parent != null) parent.owned.add(st);
        }
        return t;
    }

    /**
     * Gives t's storage the lifetime of {@code owner}'s storage: it moves to the scope that will release
     * owner (or to the garbage collector). For results tied to another tensor, such as gradients.
     */
    public static Tensor transferToOwnerOf(Tensor t, Tensor owner) {
        Storage st = t.storage();
        Scope target = owner.storage().owner;
        if (st == owner.storage() || st.owner == target) return t;
        st.owner = target;
        if (target != null) target.owned.add(st);
        return t;
    }

    /** Keeps several tensors; see {@link #keep(Tensor)}. */
    public void keep(Tensor... ts) {
        for (Tensor t : ts) keep(t);
    }

    /** Number of storages this scope will release on close. */
    public int size() {
        int n = 0;
        for (Storage s : owned) if (s.owner == this && !s.isReleased()) n++;
        return n;
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.close: a scope must be closed on the thread that opened it ("
                    + thread.getName() + "), not on " + Thread.currentThread().getName());
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("Scope.close: scopes must be closed in reverse order of opening; "
                    + "an inner scope is still open");
        }
        closed = true;
        CURRENT.set(parent);
        for (Storage s : owned) {
            if (s.owner == this) {
                s.owner = null;
                s.release();
            }
        }
        owned.clear();
    }
}
