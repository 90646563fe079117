package org.ddrl.tensor.check;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;

/**
 * Runs every op of the catalog on a device against the F64 reference and times both: a quick proof
 * that a build, a backend and a machine work, and the project's main job until the demo exists.
 */
public final class SelfCheck {
    /** One op's outcome. */
    public record Result(Op op, String inputs, double maxError, double tolerance, double millis, double refMillis, String error) {
        public boolean ok() {
            return error == null && maxError <= 1;
        }
    }

    private SelfCheck() {}

    /** Checks every op whose name contains {@code filter} (all when empty). */
    public static List<Result> run(Device device, DType dtype, String filter, long seed) {
        List<Result> results = new ArrayList<>();
        for (Op op : Op.values()) {
            if (!filter.isEmpty() && !op.opName().contains(filter.toLowerCase(Locale.ROOT))) continue;
            try (Scope scope = Scope.open()) {
                results.add(check(op, device, dtype, new Random(seed + op.ordinal())));
            }
        }
        return results;
    }

    private static Result check(Op op, Device device, DType dtype, Random rnd) {
        OpSamples.Sample s;
        try {
            s = OpSamples.sample(op, rnd, dtype);
        } catch (RuntimeException e) {
            return new Result(op, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, "cannot build sample: " + e.getMessage());
        }
        Tensor[] in = new Tensor[s.inputs().length];
        RefTensor[] ref = new RefTensor[in.length];
        for (int i = 0; i < in.length; i++) {
            Tensor t = s.inputs()[i];
            in[i] = t == null ? null : t.device().equals(device) ? t : t.to(device);
            ref[i] = t == null ? null : RefTensor.of(t);
        }
        var attrs = op.kind() == Op.Kind.CREATION ? s.attrs().with("device", device) : s.attrs();
        String desc = Dispatch.describe(in);
        try {
            long r0 = System.nanoTime();
            RefTensor expected = Reference.eval(op, attrs, ref);
            double refMs = (System.nanoTime() - r0) / 1e6;
            Tensor actual = Dispatch.call(op, attrs, in); // warm-up, and the value checked
            Backend backend = Backends.of(device);
            double err = Compare.maxScaledError(expected, actual, s.tolScale());
            int reps = 5;
            double[] times = new double[reps];
            for (int k = 0; k < reps; k++) {
                try (Scope inner = Scope.open()) {
                    long t0 = System.nanoTime();
                    Dispatch.call(op, attrs, in);
                    backend.synchronize(); // asynchronous devices: time the work, not the launch
                    times[k] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return new Result(op, desc, err, Compare.tolerance(actual.dtype()) * s.tolScale(), times[reps / 2], refMs, null);
        } catch (RuntimeException | AssertionError e) {
            return new Result(op, desc, Double.NaN, Double.NaN, Double.NaN, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Prints a table and a summary line; returns the number of failures. */
    public static int print(List<Result> results, PrintStream out) {
        out.printf(Locale.ROOT, "%-24s %-52s %10s %9s %10s %s%n", "op", "inputs", "err/tol", "ms", "ref ms", "status");
        int failed = 0;
        for (Result r : results) {
            String in = r.inputs().length() > 52 ? r.inputs().substring(0, 49) + "..." : r.inputs();
            if (r.ok()) {
                out.printf(Locale.ROOT, "%-24s %-52s %10.3f %9.3f %10.3f ok%n", r.op().opName(), in, r.maxError(), r.millis(), r.refMillis());
            } else {
                failed++;
                out.printf(Locale.ROOT, "%-24s %-52s %10s %9s %10s FAIL %s%n", r.op().opName(), in,
                        Double.isNaN(r.maxError()) ? "-" : String.format(Locale.ROOT, "%.3f", r.maxError()), "-", "-",
                        r.error() == null ? "error beyond tolerance" : r.error());
            }
        }
        out.printf(Locale.ROOT, "%d ops checked against the F64 reference, %d passed, %d failed%n", results.size(),
                results.size() - failed, failed);
        return failed;
    }
}
