package org.ddrl.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.check.SelfCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Every op of the catalog against the F64 reference, with timings. */
@Command(name = "selfcheck", mixinStandardHelpOptions = true,
        description = "Runs every op of the catalog on a device, compares it with the F64 reference and times both.")
final class SelfCheckCommand implements Callable<Integer> {
    @Option(names = "--device", description = "cpu, cuda[:N], cuda-emu[:N] or auto (default: ${DEFAULT-VALUE})", defaultValue = "auto")
    String device;

    @Option(names = "--dtype", description = "floating dtype of the inputs: f32, f64, bf16, f16 (default: ${DEFAULT-VALUE})", defaultValue = "f32")
    String dtype;

    @Option(names = "--threads", description = "CPU threads (default: all cores)")
    Integer threads;

    @Option(names = "--op", description = "only ops whose name contains this text", defaultValue = "")
    String op;

    @Option(names = "--seed", description = "seed of the random inputs (default: ${DEFAULT-VALUE})", defaultValue = "1")
    long seed;

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        Device dev = device.equalsIgnoreCase("auto") ? Backends.defaultDevice() : Device.parse(device);
        DType dt = DType.parse(dtype);
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException("--dtype must be a floating type, got " + dtype);
        System.out.printf("self-check on %s, dtype %s, %d CPU threads%n", dev, dt, Parallel.threads());
        long t0 = System.nanoTime();
        List<SelfCheck.Result> results = SelfCheck.run(dev, dt, op, seed);
        int failed = SelfCheck.print(results, System.out);
        System.out.printf("wall time %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return failed == 0 ? 0 : 1;
    }
}
