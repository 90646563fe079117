package org.ddrl.autodiff.nn;

import java.util.List;

import org.ddrl.tensor.Tensor;

/** Modules applied in order (torch.nn.Sequential), registered as "0", "1", ...: the first gets the inputs, each next the previous output. */
public final class Sequential extends Module {
    private int size;

    public Sequential(Module... modules) {
        for (Module m : modules) append(m);
    }

    public Sequential append(Module m) {
        registerModule(String.valueOf(size++), m);
        return this;
    }

    public Module get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("Sequential: index " + i + " out of range for " + size + " modules");
        return getSubmodule(String.valueOf(i));
    }

    public int size() {
        return size;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        List<Module> ms = children();
        if (ms.isEmpty()) return single(inputs);
        Tensor y = ms.get(0).forward(inputs);
        for (int i = 1; i < ms.size(); i++) y = ms.get(i).forward(y);
        return y;
    }
}
