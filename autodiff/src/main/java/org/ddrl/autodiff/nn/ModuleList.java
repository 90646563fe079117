package org.ddrl.autodiff.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A list of submodules registered as "0", "1", ... (torch.nn.ModuleList), so their parameters are part of
 * the owner's; the owner decides how to call them. It has no forward of its own.
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) add(m);
    }

    public ModuleList<M> add(M m) {
        items.add(registerModule(String.valueOf(items.size()), m));
        return this;
    }

    public M get(int i) {
        if (i < 0 || i >= items.size()) {
            throw new IndexOutOfBoundsException("ModuleList: index " + i + " out of range for " + items.size() + " modules");
        }
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return Collections.unmodifiableList(items).iterator();
    }
}
