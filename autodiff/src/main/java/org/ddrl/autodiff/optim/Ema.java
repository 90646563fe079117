package org.ddrl.autodiff.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Exponential moving averages of parameters, one per {@link EmaProfile}, all updated by one
 * {@link #update()} call after each optimizer step: avg = beta(t) avg + (1 - beta(t)) param at the t-th
 * update. Several profiles (say EDM2's sigma_rel 0.05 and 0.10) are tracked at once.
 *
 * <p>The averages start as copies of the parameters, live as long as them (in the scope that owns each
 * parameter) and are kept in F32 for BF16/F16 parameters, F64 for F64 ones. {@link #swapIn} puts one
 * profile's averages into the parameters for evaluation, and closing the returned {@link Swap} puts the
 * trained weights back.
 */
public final class Ema {
    private static final String UPDATES = "ema.updates";
    private static final String PROFILES = "ema.profiles";

    private final Map<String, Tensor> params;
    private final List<EmaProfile> profiles;
    private final List<Map<String, Tensor>> averages = new ArrayList<>();
    private long updates;
    private Swap swapped;

    public Ema(Map<String, Tensor> params, EmaProfile... profiles) {
        if (profiles.length == 0) throw new IllegalArgumentException("Ema: needs at least one profile");
        Set<String> names = new HashSet<>();
        for (EmaProfile p : profiles) {
            if (!names.add(p.name())) throw new IllegalArgumentException("Ema: profile '" + p.name() + "' is given twice");
        }
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (!e.getValue().dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("Ema: parameter '" + e.getKey() + "' is " + e.getValue().dtype() + ", not a floating tensor");
            }
        }
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.profiles = List.of(profiles);
        try (GradMode.Guard noGrad = GradMode.noGrad()) {
            for (int k = 0; k < profiles.length; k++) {
                Map<String, Tensor> avg = new LinkedHashMap<>();
                this.params.forEach((name, p) -> {
                    Tensor a = Tensor.zeros(ParamState.stateType(p.dtype()), p.device(), p.shape());
                    avg.put(name, Scope.transferToOwnerOf(a, p).copyFrom(p));
                });
                averages.add(Collections.unmodifiableMap(avg));
            }
        }
    }

    /** Power-function EMAs (EDM2) for each sigma_rel. */
    public static Ema power(Map<String, Tensor> params, double... sigmaRels) {
        EmaProfile[] ps = new EmaProfile[sigmaRels.length];
        for (int i = 0; i < ps.length; i++) ps[i] = EmaProfile.power(sigmaRels[i]);
        return new Ema(params, ps);
    }

    /** Folds the current parameters into every average. */
    public void update() {
        if (swapped != null) throw new IllegalStateException("Ema.update: averaged weights are swapped in; close the Swap first");
        updates++;
        try (GradMode.Guard noGrad = GradMode.noGrad(); CpuFused.Batch batch = CpuFused.Batch.open()) {
            for (int k = 0; k < profiles.size(); k++) {
                double beta = profiles.get(k).beta(updates);
                for (Map.Entry<String, Tensor> e : averages.get(k).entrySet()) {
                    Tensor a = e.getValue();
                    Tensor p = params.get(e.getKey());
                    if (CpuFused.applies(a, p)) {
                        CpuFused.ema(a, p, beta);
                        continue;
                    }
                    try (Scope scope = Scope.open()) {
                        a.copyFrom(a.mul(beta).add(p.to(a.dtype()).mul(1 - beta)));
                    }
                }
            }
        }
    }

    /** Updates so far. */
    public long updates() {
        return updates;
    }

    public List<EmaProfile> profiles() {
        return profiles;
    }

    /** The averaged weights of a profile by parameter name (live tensors: do not write them). */
    public Map<String, Tensor> averaged(int profile) {
        return averages.get(checkProfile(profile));
    }

    private int checkProfile(int profile) {
        if (profile < 0 || profile >= profiles.size()) {
            throw new IndexOutOfBoundsException("Ema: profile " + profile + " does not exist; there are " + profiles.size());
        }
        return profile;
    }

    /**
     * Writes a profile's averages into the parameters (rounded to their dtype) until the returned Swap
     * is closed: {@code try (var s = ema.swapIn(0)) { evaluate(model); }}.
     */
    public Swap swapIn(int profile) {
        checkProfile(profile);
        if (swapped != null) throw new IllegalStateException("Ema.swapIn: averaged weights are already swapped in");
        Map<String, Tensor> saved = new LinkedHashMap<>();
        try (GradMode.Guard noGrad = GradMode.noGrad()) {
            params.forEach((name, p) -> {
                saved.put(name, Scope.transferToOwnerOf(p.copy(), p));
                p.copyFrom(averages.get(profile).get(name));
            });
        }
        swapped = new Swap(saved);
        return swapped;
    }

    /** Trained weights set aside by {@link #swapIn}; closing restores them. */
    public final class Swap implements AutoCloseable {
        private Map<String, Tensor> saved;

        private Swap(Map<String, Tensor> saved) {
            this.saved = saved;
        }

        /** Puts the trained weights back and frees their copies. Idempotent. */
        @Override
        public void close() {
            if (saved == null) return;
            try (GradMode.Guard noGrad = GradMode.noGrad()) {
                saved.forEach((name, copy) -> {
                    params.get(name).copyFrom(copy);
                    copy.storage().release();
                });
            }
            saved = null;
            swapped = null;
        }
    }

    // ------------------------------------------------------------------ state

    /** Tensors "PROFILE/PARAM" (e.g. "sigma_rel_0.05/fc.weight") and scalars "ema.updates", "ema.profiles" (one per line). */
    public StateDict stateDict() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int k = 0; k < profiles.size(); k++) {
            String prefix = profiles.get(k).name() + "/";
            averages.get(k).forEach((name, a) -> tensors.put(prefix + name, a));
        }
        return new StateDict(tensors, Map.of(UPDATES, String.valueOf(updates), PROFILES, profileNames()));
    }

    private String profileNames() {
        List<String> names = new ArrayList<>();
        for (EmaProfile p : profiles) names.add(p.name());
        return String.join("\n", names);
    }

    /** Restores a state from {@link #stateDict}, after checking profiles, names and shapes, before anything changes. */
    public void loadStateDict(StateDict sd) {
        String who = "Ema.loadStateDict";
        if (swapped != null) throw new IllegalStateException(who + ": averaged weights are swapped in; close the Swap first");
        String saved = sd.require(PROFILES, who);
        if (!saved.equals(profileNames())) {
            throw new IllegalArgumentException(who + ": the state holds profiles " + Arrays.asList(saved.split("\n")) + " but this EMA has "
                    + Arrays.asList(profileNames().split("\n")));
        }
        long n = sd.requireLong(UPDATES, who);
        if (n < 0) throw new IllegalArgumentException(who + ": '" + UPDATES + "' is negative: " + n);
        Set<String> used = new HashSet<>();
        for (int k = 0; k < profiles.size(); k++) {
            for (Map.Entry<String, Tensor> e : averages.get(k).entrySet()) {
                String key = profiles.get(k).name() + "/" + e.getKey();
                Tensor t = sd.tensors().get(key);
                if (t == null) throw new IllegalArgumentException(who + ": the state has no '" + key + "'");
                if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException(who + ": '" + key + "' has shape " + Shapes.str(t.shape()) + " but parameter '"
                            + e.getKey() + "' has shape " + Shapes.str(e.getValue().shape()));
                }
                if (!t.dtype().isFloatingPoint()) {
                    throw new IllegalArgumentException(who + ": '" + key + "' has dtype " + t.dtype() + ", expected a floating dtype");
                }
                used.add(key);
            }
        }
        List<String> extra = new ArrayList<>();
        for (String key : sd.tensors().keySet()) if (!used.contains(key)) extra.add(key);
        for (String key : sd.metadata().keySet()) if (!key.equals(UPDATES) && !key.equals(PROFILES)) extra.add(key);
        if (!extra.isEmpty()) throw new IllegalArgumentException(who + ": unexpected entries in the state: " + extra);
        try (GradMode.Guard noGrad = GradMode.noGrad(); Scope scope = Scope.open()) {
            for (int k = 0; k < profiles.size(); k++) {
                String prefix = profiles.get(k).name() + "/";
                averages.get(k).forEach((name, a) -> a.copyFrom(sd.tensors().get(prefix + name).to(a.device())));
            }
        }
        updates = n;
    }

    public void save(Path path) throws IOException {
        stateDict().save(path);
    }

    public void load(Path path) throws IOException {
        try (Scope scope = Scope.open()) {
            loadStateDict(StateDict.load(path));
        }
    }
}
