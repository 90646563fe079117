package org.ddrl.autodiff.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Safetensors;

/**
 * Base of every layer and model (torch.nn.Module): named parameters, buffers and submodules, registered
 * in order, so that {@link #namedParameters()} and {@link #stateDict()} list them with dotted names such
 * as {@code blocks.0.attn.q_proj.weight}; training/eval mode; conversion; state loading and saving.
 *
 * <p>Layers read their own parameters back by name ({@link #param(String)}) on every forward rather than
 * keeping them in fields: {@link #to(DType)} swaps the registered tensors for converted ones, and every
 * layer then sees the new ones.
 *
 * <p>Lifetime: parameters and buffers belong to the scope that was open when their data was created (see
 * {@link Parameter}); build modules outside per-step scopes.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> transientBuffers = new HashSet<>();
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * The layer's computation. Modules whose inputs are not all tensors (masks, flags) add typed
     * overloads; containers without a forward of their own (ModuleList) keep this default, which throws.
     */
    public Tensor forward(Tensor... inputs) {
        throw new UnsupportedOperationException(describe() + " does not implement forward(Tensor...)");
    }

    /** The one input of a single-input layer called through {@link #forward(Tensor...)}. */
    protected final Tensor single(Tensor[] inputs) {
        if (inputs.length != 1 || inputs[0] == null) {
            throw new IllegalArgumentException(describe() + ": forward takes one input tensor, got "
                    + (inputs.length == 1 ? "null" : inputs.length + " inputs"));
        }
        return inputs[0];
    }

    /** "Linear(in_features=4, out_features=3, bias=true)": the class and its settings, for messages. */
    public String describe() {
        return getClass().getSimpleName() + "(" + extraRepr() + ")";
    }

    /** The settings shown in {@link #describe()} (torch's extra_repr). */
    protected String extraRepr() {
        return "";
    }

    /** The module tree, one line per module, as PyTorch prints it. */
    @Override
    public String toString() {
        if (modules.isEmpty()) return describe();
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(\n");
        if (!extraRepr().isEmpty()) sb.append("  ").append(extraRepr()).append('\n');
        modules.forEach((name, m) -> sb.append("  (").append(name).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }

    // ------------------------------------------------------------------ registration

    /**
     * Registers a trainable tensor under {@code name} and returns it. A leaf that already requires grad
     * (a parameter of another module) is registered as is, which ties the two modules' weights; any other
     * floating tensor becomes a new parameter over the same storage ({@link Parameter#of}).
     */
    protected final Tensor registerParameter(String name, Tensor data) {
        checkName("registerParameter", name);
        Tensor p = data.isLeaf() && data.requiresGrad() ? data : Parameter.of(data);
        parameters.put(name, p);
        return p;
    }

    /** Registers state that is not trained (running statistics, fixed tables); saved in the state dict. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        return registerBuffer(name, value, true);
    }

    /** A buffer left out of the state dict when persistent is false (tables rebuilt on construction). */
    protected final Tensor registerBuffer(String name, Tensor value, boolean persistent) {
        checkName("registerBuffer", name);
        buffers.put(name, value);
        if (!persistent) transientBuffers.add(name);
        return value;
    }

    /** Registers a child module under {@code name} and returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName("registerModule", name);
        if (module == null) throw new IllegalArgumentException(describe() + ".registerModule: module \"" + name + "\" is null");
        modules.put(name, module);
        return module;
    }

    private void checkName(String what, String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(describe() + "." + what + ": name must be non-empty and contain no '.', got \"" + name + "\"");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || modules.containsKey(name)) {
            throw new IllegalArgumentException(describe() + "." + what + ": \"" + name + "\" is already registered");
        }
    }

    /** This module's own parameter {@code name} (not a submodule's). */
    protected final Tensor param(String name) {
        Tensor p = parameters.get(name);
        if (p == null) throw new IllegalArgumentException(describe() + ": no parameter \"" + name + "\"; has " + parameters.keySet());
        return p;
    }

    /** This module's own parameter {@code name}, or null when it was not registered (an optional bias). */
    protected final Tensor paramOrNull(String name) {
        return parameters.get(name);
    }

    /** This module's own buffer {@code name}. */
    protected final Tensor buffer(String name) {
        Tensor b = buffers.get(name);
        if (b == null) throw new IllegalArgumentException(describe() + ": no buffer \"" + name + "\"; has " + buffers.keySet());
        return b;
    }

    /** The submodule at a dotted path ("blocks.0.attn"); the empty path is this module. */
    public final Module getSubmodule(String target) {
        Module m = this;
        if (target.isEmpty()) return m;
        for (String part : target.split("\\.", -1)) {
            Module next = m.modules.get(part);
            if (next == null) {
                throw new IllegalArgumentException(describe() + ": no submodule \"" + target + "\" (" + m.getClass().getSimpleName()
                        + " has no child \"" + part + "\"; its children are " + m.modules.keySet() + ")");
            }
            m = next;
        }
        return m;
    }

    /** The parameter at a dotted path ("blocks.0.attn.q_proj.weight"). */
    public final Tensor getParameter(String target) {
        int dot = target.lastIndexOf('.');
        Module owner = getSubmodule(dot < 0 ? "" : target.substring(0, dot));
        Tensor p = owner.parameters.get(target.substring(dot + 1));
        if (p == null) throw new IllegalArgumentException(describe() + ": no parameter \"" + target + "\"");
        return p;
    }

    /** The buffer at a dotted path. */
    public final Tensor getBuffer(String target) {
        int dot = target.lastIndexOf('.');
        Module owner = getSubmodule(dot < 0 ? "" : target.substring(0, dot));
        Tensor b = owner.buffers.get(target.substring(dot + 1));
        if (b == null) throw new IllegalArgumentException(describe() + ": no buffer \"" + target + "\"");
        return b;
    }

    // ------------------------------------------------------------------ traversal

    /** Every parameter of this module and its descendants with its dotted name; a tied parameter once, under its first name. */
    public final LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> m.parameters.forEach((n, p) -> {
            if (seen.add(p)) out.put(join(prefix, n), p);
        }));
        return out;
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of this module and its descendants with its dotted name. */
    public final LinkedHashMap<String, Tensor> namedBuffers() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> m.buffers.forEach((n, b) -> {
            if (seen.add(b)) out.put(join(prefix, n), b);
        }));
        return out;
    }

    public final List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    /** The direct submodules by name. */
    public final LinkedHashMap<String, Module> namedChildren() {
        return new LinkedHashMap<>(modules);
    }

    public final List<Module> children() {
        return new ArrayList<>(modules.values());
    }

    /** This module (under "") and every descendant by dotted path, parents before children; a shared module once. */
    public final LinkedHashMap<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        collectModules("", Collections.newSetFromMap(new IdentityHashMap<>()), out);
        return out;
    }

    private void collectModules(String prefix, Set<Module> seen, Map<String, Module> out) {
        if (!seen.add(this)) return;
        out.put(prefix, this);
        modules.forEach((n, m) -> m.collectModules(join(prefix, n), seen, out));
    }

    public final List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    // ------------------------------------------------------------------ modes and gradients

    /** Training mode for this module and every descendant (Dropout drops only in training); returns this. */
    public Module train(boolean mode) {
        for (Module m : modules()) m.training = mode;
        return this;
    }

    public Module train() {
        return train(true);
    }

    /** Evaluation mode, {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes (false) or unfreezes every parameter, as requires_grad_; returns this. */
    public Module requiresGrad(boolean on) {
        for (Tensor p : parameters()) p.requiresGrad(on);
        return this;
    }

    /** Fills every existing gradient with zeros in place, keeping its memory. */
    public void zeroGrad() {
        zeroGrad(false);
    }

    /** setToNone drops the gradients instead (PyTorch's default), so the next backward allocates them anew. */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : parameters()) {
            if (setToNone) p.setGrad(null);
            else p.zeroGrad();
        }
    }

    /** Number of scalar parameters (a tied parameter counted once). */
    public long numParameters() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    // ------------------------------------------------------------------ conversion

    /**
     * Converts every floating parameter and buffer to {@code dtype} (integer buffers stay as they are) and
     * returns this. The registered tensors are replaced by new ones, not changed in place, so do it before
     * handing {@link #parameters()} to an optimizer; gradients are dropped and requiresGrad is kept. Tied
     * parameters stay tied. The new storages belong to the scope open now.
     */
    public Module to(DType dtype) {
        return convert(t -> t.dtype().isFloatingPoint() ? t.to(dtype) : t);
    }

    /** Moves every parameter and buffer to {@code device}; replaces the registered tensors as {@link #to(DType)} does. */
    public Module to(Device device) {
        return convert(t -> t.to(device));
    }

    private Module convert(UnaryOperator<Tensor> f) {
        Map<Tensor, Tensor> done = new IdentityHashMap<>();
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (Module m : modules()) {
                m.parameters.replaceAll((n, p) -> done.computeIfAbsent(p, old -> {
                    Tensor data = f.apply(old);
                    return data == old ? old : Parameter.of(data).requiresGrad(old.requiresGrad());
                }));
                m.buffers.replaceAll((n, b) -> done.computeIfAbsent(b, f));
            }
        }
        return this;
    }

    // ------------------------------------------------------------------ state

    /**
     * Parameters and persistent buffers by dotted name, module by module (its parameters, its buffers,
     * then its children), as PyTorch orders state_dict. The values are detached views of the live data: a
     * tied parameter appears under each of its names.
     */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out, Set<Module> seen) {
        if (!seen.add(this)) return;
        parameters.forEach((n, p) -> out.put(join(prefix, n), p.detach()));
        buffers.forEach((n, b) -> {
            if (!transientBuffers.contains(n)) out.put(join(prefix, n), b.detach());
        });
        modules.forEach((n, m) -> m.collectState(join(prefix, n), out, seen));
    }

    /** The keys a non-strict load skipped (load_state_dict's return value). */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /**
     * Copies {@code state} into this module's parameters and persistent buffers in place (the tensors keep
     * their identity, so an optimizer holding them stays valid). Every entry must match the model's shape
     * and dtype exactly (convert with {@link #to(DType)} or on the map first). With strict, keys missing from
     * the map or unknown to the model are errors too; without, they are returned. Nothing is copied unless
     * the whole load is valid; the error lists every problem found.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        LinkedHashMap<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (var e : own.entrySet()) {
            String key = e.getKey();
            Tensor src = state.get(key);
            if (src == null) {
                missing.add(key);
                continue;
            }
            Tensor dst = e.getValue();
            if (!Arrays.equals(src.shape(), dst.shape())) {
                mismatches.add("size mismatch for " + key + ": the state has shape " + Shapes.str(src.shape())
                        + ", the model has " + Shapes.str(dst.shape()));
            } else if (src.dtype() != dst.dtype()) {
                mismatches.add("dtype mismatch for " + key + ": the state has " + src.dtype() + ", the model has " + dst.dtype());
            }
        }
        for (String key : state.keySet()) if (!own.containsKey(key)) unexpected.add(key);
        List<String> errors = new ArrayList<>();
        if (strict && !missing.isEmpty()) errors.add("missing keys " + missing);
        if (strict && !unexpected.isEmpty()) errors.add("unexpected keys " + unexpected);
        errors.addAll(mismatches);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: error(s) loading the state of " + getClass().getSimpleName()
                    + ": " + String.join("; ", errors));
        }
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) e.getValue().copyFrom(src.to(e.getValue().device()));
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    /** Saves {@link #stateDict()} as a safetensors file, replacing {@code path} atomically. */
    public final void save(Path path) throws IOException {
        save(path, null);
    }

    /** As {@link #save(Path)}, with string metadata in the file's header (may be null). */
    public final void save(Path path, Map<String, String> metadata) throws IOException {
        Safetensors.save(path, stateDict(), metadata);
    }

    /** Loads a safetensors file written by {@link #save(Path)} (or PyTorch) with strict checking; see {@link #loadStateDict}. */
    public final void load(Path path) throws IOException {
        load(path, true);
    }

    /** As {@link #loadStateDict(Map, boolean)} on the file's tensors, which are freed once copied into the module. */
    public final LoadResult load(Path path, boolean strict) throws IOException {
        try (Scope scope = Scope.open()) {
            return loadStateDict(Safetensors.load(path), strict);
        }
    }
}
