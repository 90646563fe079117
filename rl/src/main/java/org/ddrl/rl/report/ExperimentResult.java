package org.ddrl.rl.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a report shows: a title, the shared experiment config, the arm the judge vote and the Welch tests
 * compare against, and every arm's runs.
 */
public record ExperimentResult(String title, Map<String, Object> config, String referenceArm, List<ArmResult> arms) {
    public ExperimentResult {
        if (arms.isEmpty()) throw new IllegalArgumentException("ExperimentResult: no arms");
        Set<String> names = new LinkedHashSet<>();
        for (ArmResult a : arms) {
            if (!names.add(a.arm())) throw new IllegalArgumentException("ExperimentResult: arm '" + a.arm() + "' appears twice");
        }
        if (!names.contains(referenceArm)) {
            throw new IllegalArgumentException("ExperimentResult: reference arm '" + referenceArm + "' is not among the arms " + names);
        }
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        arms = List.copyOf(arms);
    }

    public ArmResult arm(String name) {
        for (ArmResult a : arms) if (a.arm().equals(name)) return a;
        throw new IllegalArgumentException("ExperimentResult: no arm '" + name + "'");
    }

    public ArmResult reference() {
        return arm(referenceArm);
    }
}
