package org.ddrl.autodiff.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;

/**
 * Parameters that share hyper-parameters (torch.optim's param_groups): named tensors plus options such as
 * "lr" or "weight_decay" that override the optimizer's defaults for this group only.
 *
 * <p>Groups given to an optimizer are specifications: the optimizer keeps its own copies, with every option
 * filled in, and those ({@link Optimizer#groups()}) are the ones schedules change. Tensors given without
 * names are named by their position among all of the optimizer's parameters, "0", "1", ..., as PyTorch
 * numbers them in its state_dict.
 */
public final class ParamGroup {
    private final List<String> names; // null entries: numbered by the optimizer
    private final List<Tensor> tensors;
    private final Map<String, Object> options;
    private final Map<String, Tensor> params;

    ParamGroup(List<String> names, List<Tensor> tensors, Map<String, Object> options) {
        this.names = names;
        this.tensors = tensors;
        this.options = options;
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) byName.put(names.get(i) == null ? String.valueOf(i) : names.get(i), tensors.get(i));
        this.params = Collections.unmodifiableMap(byName);
    }

    /** A group of named parameters (a Module's namedParameters(), or a part of it), in map order. */
    public static ParamGroup of(Map<String, Tensor> params) {
        List<String> names = new ArrayList<>(params.size());
        List<Tensor> tensors = new ArrayList<>(params.size());
        params.forEach((name, t) -> {
            if (name == null) throw new IllegalArgumentException("ParamGroup: a parameter name is null");
            names.add(name);
            tensors.add(t);
        });
        return new ParamGroup(names, tensors, new LinkedHashMap<>());
    }

    /** A group of unnamed parameters, numbered by the optimizer. */
    public static ParamGroup of(Collection<Tensor> params) {
        List<Tensor> tensors = new ArrayList<>(params);
        return new ParamGroup(new ArrayList<>(Collections.nCopies(tensors.size(), null)), tensors, new LinkedHashMap<>());
    }

    /**
     * The usual split for AdamW: matrices and convolution kernels (2 or more dims) decay with
     * {@code weightDecay}; biases and normalization scales (fewer dims) do not. Empty groups are left out.
     */
    public static List<ParamGroup> weightDecaySplit(Map<String, Tensor> params, double weightDecay) {
        Map<String, Tensor> decay = new LinkedHashMap<>();
        Map<String, Tensor> noDecay = new LinkedHashMap<>();
        params.forEach((name, t) -> (t.dim() >= 2 ? decay : noDecay).put(name, t));
        List<ParamGroup> groups = new ArrayList<>(2);
        if (!decay.isEmpty()) groups.add(of(decay).set("weight_decay", weightDecay));
        if (!noDecay.isEmpty()) groups.add(of(noDecay).set("weight_decay", 0.0));
        return groups;
    }

    /** Sets a numeric option ("lr", "weight_decay", "momentum", ...); returns this. */
    public ParamGroup set(String option, double value) {
        options.put(option, value);
        return this;
    }

    /** Sets a flag option ("nesterov", "amsgrad"); returns this. */
    public ParamGroup set(String option, boolean value) {
        options.put(option, value);
        return this;
    }

    public double getDouble(String option) {
        if (options.get(option) instanceof Double d) return d;
        throw new IllegalArgumentException("ParamGroup: no numeric option '" + option + "'; the group has " + options);
    }

    public boolean getBoolean(String option) {
        if (options.get(option) instanceof Boolean b) return b;
        throw new IllegalArgumentException("ParamGroup: no flag option '" + option + "'; the group has " + options);
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public double lr() {
        return getDouble("lr");
    }

    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("setLr: the learning rate must be finite and >= 0, got " + lr);
        options.put("lr", lr);
    }

    /** The options, read-only. */
    public Map<String, Object> options() {
        return Collections.unmodifiableMap(options);
    }

    /** The parameters by name, in order; unnamed ones by their index in this group until an optimizer names them. */
    public Map<String, Tensor> params() {
        return params;
    }

    List<String> names() {
        return names;
    }

    List<Tensor> tensors() {
        return tensors;
    }
}
