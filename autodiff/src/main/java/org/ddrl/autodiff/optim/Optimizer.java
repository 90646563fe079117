package org.ddrl.autodiff.optim;

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
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Updates parameters from their gradients (torch.optim.Optimizer). Subclasses write one parameter's
 * update in {@link #update}; this class owns the groups, the per-parameter state, the step loop and the
 * state's save and load.
 *
 * <p>Memory: each parameter's update runs in its own {@link Scope}, so the step's temporaries are freed
 * as it goes and the peak is a few copies of the largest parameter; the state is allocated once, on the
 * first update, and lives as long as the parameter (see {@link ParamState}). Updates write the parameters
 * in place under {@link GradMode#noGrad()}. Parameters whose gradient is null are skipped, and their step
 * count does not advance.
 *
 * <p>Precision: the update is computed in {@link ParamState#stateType} of the parameter's dtype (F64 for
 * F64, F32 otherwise) and rounded once when written back. BF16/F16 parameters therefore keep F32
 * moments, but no F32 master copy of the weights: updates smaller than half a unit in the last place of
 * a BF16 weight are lost. Keep F32 parameters and cast in the forward pass where that matters.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final Map<String, Tensor> params;
    private final Map<String, ParamState> state = new LinkedHashMap<>();

    /**
     * @param groups   the parameter groups; option overrides are checked against {@code defaults}
     * @param defaults every option this optimizer has, with its default value (Double or Boolean)
     */
    protected Optimizer(List<ParamGroup> groups, Map<String, Object> defaults) {
        String who = getClass().getSimpleName();
        List<ParamGroup> bound = new ArrayList<>(groups.size());
        Map<String, Tensor> all = new LinkedHashMap<>();
        Map<Tensor, String> seen = new IdentityHashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup spec = groups.get(gi);
            List<String> names = new ArrayList<>(spec.names().size());
            for (int i = 0; i < spec.tensors().size(); i++) {
                String name = spec.names().get(i) == null ? String.valueOf(all.size()) : spec.names().get(i);
                Tensor t = spec.tensors().get(i);
                checkParam(who, name, t);
                if (all.containsKey(name)) throw new IllegalArgumentException(who + ": two parameters are named '" + name + "'");
                String twice = seen.put(t, name);
                if (twice != null) {
                    throw new IllegalArgumentException(who + ": the same tensor is given twice, as '" + twice + "' and as '" + name + "'");
                }
                all.put(name, t);
                names.add(name);
            }
            String where = who + " group " + gi;
            Map<String, Object> options = new LinkedHashMap<>(defaults);
            spec.options().forEach((k, v) -> putOption(options, defaults, k, v, where));
            ParamGroup g = new ParamGroup(names, spec.tensors(), options);
            checkOptions(where, g);
            bound.add(g);
        }
        if (all.isEmpty()) throw new IllegalArgumentException(who + ": got an empty parameter list");
        this.groups = Collections.unmodifiableList(bound);
        this.params = Collections.unmodifiableMap(all);
    }

    private static void checkParam(String who, String name, Tensor t) {
        if (t == null) throw new IllegalArgumentException(who + ": parameter '" + name + "' is null");
        if (!t.dtype().isFloatingPoint() || !t.requiresGrad() || !t.isLeaf()) {
            throw new IllegalArgumentException(who + ": parameter '" + name + "' (" + t.dtype() + Shapes.str(t.shape())
                    + ") must be a floating leaf tensor that requires grad" + (t.isLeaf() ? "" : "; it is the result of an op"));
        }
    }

    /** "initial_lr" is where a {@link Scheduler} keeps each group's base rate, as in PyTorch. */
    private static void putOption(Map<String, Object> options, Map<String, Object> defaults, String key, Object value, String where) {
        Object def = key.equals(Scheduler.INITIAL_LR) ? Double.valueOf(0) : defaults.get(key);
        if (def == null) throw new IllegalArgumentException(where + ": unknown option '" + key + "'; the options are " + defaults.keySet());
        if (def.getClass() != value.getClass()) {
            throw new IllegalArgumentException(where + ": option '" + key + "' is a " + (def instanceof Boolean ? "flag" : "number")
                    + ", got " + value);
        }
        options.put(key, value);
    }

    /** Rejects invalid hyper-parameters of a group; {@code where} names the optimizer and the group. */
    protected abstract void checkOptions(String where, ParamGroup group);

    /** Every buffer key a parameter of this group has after its first update, e.g. "exp_avg". */
    protected abstract List<String> stateKeys(ParamGroup group);

    /**
     * Updates one parameter in place, from its gradient; runs under noGrad in a scope that is closed
     * right after, with {@code state.step()} already counting this update.
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /** One update of every parameter that has a gradient. */
    public void step() {
        // The fused CPU updates of all parameters run as one parallel pass when the batch closes.
        try (GradMode.Guard noGrad = GradMode.noGrad(); CpuFused.Batch batch = CpuFused.Batch.open()) {
            for (ParamGroup group : groups) {
                for (Map.Entry<String, Tensor> e : group.params().entrySet()) {
                    Tensor p = e.getValue();
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    ParamState st = state.computeIfAbsent(e.getKey(), k -> new ParamState(p));
                    st.setStep(st.step() + 1);
                    try (Scope scope = Scope.open()) {
                        update(group, p, grad, st);
                    }
                }
            }
        }
    }

    /**
     * Zeros every gradient in place. Unlike PyTorch's default (set_to_none), the gradient buffers are kept,
     * so a training loop allocates them once.
     */
    public void zeroGrad() {
        // the fill value is a small tensor: keep it out of the caller's (often long-lived) scope
        try (Scope scope = Scope.open()) {
            for (Tensor p : params.values()) p.zeroGrad();
        }
    }

    /** The groups, whose options (such as the learning rate) may be changed between steps. */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** All parameters by name, in group order. */
    public Map<String, Tensor> params() {
        return params;
    }

    /** The state of a parameter, or null before its first update. */
    public ParamState state(String name) {
        return state.get(name);
    }

    /** The first group's learning rate. */
    public double lr() {
        return groups.get(0).lr();
    }

    /** Sets the learning rate of every group. */
    public void setLr(double lr) {
        for (ParamGroup g : groups) g.setLr(lr);
    }

    // ------------------------------------------------------------------ state

    private static final String TYPE = "optimizer";

    /**
     * The state, sharing the live buffers: tensors "state.NAME.KEY" (e.g. "state.fc.weight.exp_avg"), and
     * scalars for the optimizer type, each parameter's step ("state.NAME.step"), each group's parameter
     * names ("group.I.params", one per line) and options ("group.I.OPTION").
     */
    public StateDict stateDict() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(TYPE, getClass().getSimpleName());
        meta.put("groups", String.valueOf(groups.size()));
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            meta.put("group." + gi + ".params", String.join("\n", g.params().keySet()));
            for (Map.Entry<String, Object> o : g.options().entrySet()) meta.put("group." + gi + "." + o.getKey(), o.getValue().toString());
        }
        state.forEach((name, st) -> {
            if (st.step() == 0) return;
            meta.put("state." + name + ".step", String.valueOf(st.step()));
            st.buffers().forEach((key, b) -> tensors.put("state." + name + "." + key, b));
        });
        return new StateDict(tensors, meta);
    }

    /**
     * Restores a state from {@link #stateDict}: group options (learning rates included), steps and buffers
     * (copied into this optimizer's buffers, converted to their dtype and device). Everything is checked
     * before anything changes: the optimizer type, the groups and their parameter names, unknown or
     * missing keys, and every buffer's shape against its parameter's.
     */
    public void loadStateDict(StateDict sd) {
        String who = getClass().getSimpleName() + ".loadStateDict";
        String type = sd.require(TYPE, who);
        if (!type.equals(getClass().getSimpleName())) {
            throw new IllegalArgumentException(who + ": the state was saved by " + type + ", not " + getClass().getSimpleName());
        }
        Set<String> usedMeta = new HashSet<>(Set.of(TYPE));
        Set<String> usedTensors = new HashSet<>();
        List<ParamGroup> loaded = readGroups(sd, who, usedMeta);
        Map<String, Long> steps = readSteps(sd, who, loaded, usedMeta, usedTensors);
        List<String> extra = new ArrayList<>();
        for (String k : sd.tensors().keySet()) if (!usedTensors.contains(k)) extra.add(k);
        for (String k : sd.metadata().keySet()) if (!usedMeta.contains(k)) extra.add(k);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(who + ": unexpected entries in the state (no such parameter, buffer or option): " + extra);
        }
        apply(sd, loaded, steps);
    }

    /** The groups as the state describes them: ours, with the state's options, checked. */
    private List<ParamGroup> readGroups(StateDict sd, String who, Set<String> usedMeta) {
        long savedGroups = sd.requireLong("groups", who);
        usedMeta.add("groups");
        if (savedGroups != groups.size()) {
            throw new IllegalArgumentException(who + ": the state has " + savedGroups + " parameter groups, this optimizer " + groups.size());
        }
        List<ParamGroup> loaded = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            String prefix = "group." + gi + ".";
            String key = prefix + "params";
            List<String> saved = Arrays.asList(sd.require(key, who).split("\n", -1));
            List<String> ours = new ArrayList<>(g.params().keySet());
            if (!saved.equals(ours)) {
                throw new IllegalArgumentException(who + ": group " + gi + " holds parameters " + ours + " but the state's group " + gi
                        + " holds " + saved);
            }
            usedMeta.add(key);
            Map<String, Object> opts = new LinkedHashMap<>(g.options());
            for (Map.Entry<String, String> m : sd.metadata().entrySet()) {
                if (!m.getKey().startsWith(prefix) || m.getKey().equals(key)) continue;
                String opt = m.getKey().substring(prefix.length());
                Object cur = opt.equals(Scheduler.INITIAL_LR) ? Double.valueOf(0) : g.options().get(opt);
                if (cur == null) throw new IllegalArgumentException(who + ": unknown option '" + m.getKey() + "' in the state");
                opts.put(opt, parseOption(who, m.getKey(), m.getValue(), cur));
                usedMeta.add(m.getKey());
            }
            ParamGroup candidate = new ParamGroup(ours, new ArrayList<>(g.params().values()), opts);
            checkOptions(who + " group " + gi, candidate);
            loaded.add(candidate);
        }
        return loaded;
    }

    /** Each parameter's step count, after checking that its buffers are all there, with its shape. */
    private Map<String, Long> readSteps(StateDict sd, String who, List<ParamGroup> loaded, Set<String> usedMeta, Set<String> usedTensors) {
        Map<String, Long> steps = new LinkedHashMap<>();
        for (ParamGroup g : loaded) {
            for (Map.Entry<String, Tensor> e : g.params().entrySet()) {
                String name = e.getKey();
                String stepKey = "state." + name + ".step";
                long step = sd.metadata().containsKey(stepKey) ? sd.requireLong(stepKey, who) : 0;
                if (step < 0) throw new IllegalArgumentException(who + ": '" + stepKey + "' is negative: " + step);
                usedMeta.add(stepKey);
                steps.put(name, step);
                for (String k : stateKeys(g)) {
                    String tk = "state." + name + "." + k;
                    Tensor t = sd.tensors().get(tk);
                    if (t == null) {
                        if (step == 0) continue;
                        throw new IllegalArgumentException(who + ": the state has no '" + tk + "' for parameter '" + name
                                + "', which has taken " + step + " steps");
                    }
                    if (step == 0) throw new IllegalArgumentException(who + ": the state has '" + tk + "' but no step count for '" + name + "'");
                    Tensor p = e.getValue();
                    if (!Arrays.equals(t.shape(), p.shape())) {
                        throw new IllegalArgumentException(who + ": '" + tk + "' has shape " + Shapes.str(t.shape()) + " but parameter '" + name
                                + "' has shape " + Shapes.str(p.shape()));
                    }
                    if (!t.dtype().isFloatingPoint()) {
                        throw new IllegalArgumentException(who + ": '" + tk + "' has dtype " + t.dtype() + ", expected a floating dtype");
                    }
                    usedTensors.add(tk);
                }
            }
        }
        return steps;
    }

    /** Takes a validated state: options into our groups, steps and buffers into our state. */
    private void apply(StateDict sd, List<ParamGroup> loaded, Map<String, Long> steps) {
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            loaded.get(gi).options().forEach((k, v) -> {
                if (v instanceof Double d) g.set(k, d);
                else g.set(k, (Boolean) v);
            });
        }
        try (GradMode.Guard noGrad = GradMode.noGrad(); Scope scope = Scope.open()) {
            for (ParamGroup g : groups) {
                List<String> keys = stateKeys(g);
                for (Map.Entry<String, Tensor> e : g.params().entrySet()) {
                    String name = e.getKey();
                    long step = steps.get(name);
                    if (step == 0) {
                        state.remove(name);
                        continue;
                    }
                    Tensor p = e.getValue();
                    ParamState st = state.computeIfAbsent(name, k -> new ParamState(p));
                    // buffers of options the loaded state turned off go away
                    if (!keys.containsAll(st.buffers().keySet())) st.clear();
                    st.setStep(step);
                    for (String k : keys) {
                        Tensor src = sd.tensors().get("state." + name + "." + k).to(p.device());
                        Tensor dst = st.get(k);
                        if (dst == null) st.init(k, src);
                        else dst.copyFrom(src);
                    }
                }
            }
        }
    }

    private static Object parseOption(String who, String key, String value, Object like) {
        if (like instanceof Boolean) {
            if (value.equals("true") || value.equals("false")) return Boolean.valueOf(value);
            throw new IllegalArgumentException(who + ": '" + key + "' should be true or false, got '" + value + "'");
        }
        try {
            return Double.valueOf(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(who + ": '" + key + "' should be a number, got '" + value + "'");
        }
    }

    /** Saves {@link #stateDict} to a safetensors file. */
    public void save(Path path) throws IOException {
        stateDict().save(path);
    }

    /** Loads a state saved by {@link #save}; see {@link #loadStateDict}. */
    public void load(Path path) throws IOException {
        try (Scope scope = Scope.open()) {
            loadStateDict(StateDict.load(path));
        }
    }
}
