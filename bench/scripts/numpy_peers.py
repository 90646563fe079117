#!/usr/bin/env python3
"""Times NumPy on the workloads of the JMH benchmarks, as the peer figure to compare with.

Usage: numpy_peers.py [--threads N] [--only matmul,add,exp,sum,softmax,conv3d,attention,stream] [--repeats R]
                      [--clock wall|cpu]

--threads sets OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) before NumPy loads, so it governs the BLAS
calls (matmul, conv3d's matmul, attention's matmuls); NumPy's elementwise ops and reductions are
single-threaded whatever it says.

Each workload runs twice to warm up, then R times; one line per workload, tab-separated:
    name  best_ms  median_ms  figure  unit
--clock cpu times by the calling thread's CPU time (time.thread_time), which leaves out time spent
descheduled on a busy machine; it is only meaningful with --threads 1 (OpenBLAS then computes on the
calling thread) and pairs with org.ddrl.bench.MatmulCpuTime.

The figure comes from the best time (GFLOP/s for products, GB/s of compulsory memory traffic for
streaming ops). The shapes match the JMH benchmarks: matmul shapes are m x k x n.
"""
import argparse
import os
import statistics
import sys
import time

MATMUL_SHAPES = ["1024x1024x1024", "4096x512x512", "4096x512x2048", "2048x256x768"]
N = 1 << 24  # ElementwiseBench.N / ReductionBench: 16M floats


def timed(fn, repeats, clock=time.perf_counter):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times), statistics.median(times)


def report(name, best, median, amount, unit):
    print(f"{name}\t{best * 1e3:.3f}\t{median * 1e3:.3f}\t{amount / best / 1e9:.1f}\t{unit}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="matmul,add,exp,sum,softmax,conv3d,attention")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        ap.error("--clock cpu needs --threads 1: other threads' CPU time would not be counted")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np  # after the environment is set: OpenBLAS reads it once, at load

    only = set(args.only.split(","))
    rng = np.random.default_rng(1)
    r = args.repeats

    def uniform(*shape):
        return rng.uniform(-1, 1, size=shape).astype(np.float32)

    print(f"# numpy {np.__version__}, OPENBLAS_NUM_THREADS={args.threads}, {args.clock} clock", flush=True)
    if "matmul" in only:
        for s in MATMUL_SHAPES:
            m, k, n = map(int, s.split("x"))
            a, b = uniform(m, k), uniform(k, n)
            c = np.empty((m, n), np.float32)
            best, med = timed(lambda: np.matmul(a, b, out=c), r, clock)
            report(f"matmul {s}", best, med, 2.0 * m * k * n, "GFLOP/s")
    if "add" in only:
        x, y = uniform(N), uniform(N)
        best, med = timed(lambda: x + y, r, clock)
        report("add 16M", best, med, 3 * 4 * N, "GB/s")
    if "exp" in only:
        x = uniform(N)
        best, med = timed(lambda: np.exp(x), r, clock)
        report("exp 16M", best, med, 2 * 4 * N, "GB/s")
    if "sum" in only:
        x = uniform(N)
        best, med = timed(lambda: x.sum(), r, clock)
        report("sum 16M", best, med, 4 * N, "GB/s")
    if "softmax" in only:
        x = uniform(4096, 1024)

        def softmax():
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)

        best, med = timed(softmax, r, clock)
        report("softmax 4096x1024", best, med, 2 * 4 * x.size, "GB/s")
    if "conv3d" in only:
        # im2col (a strided window view, copied once by the reshape) and one matmul.
        x, w = uniform(2, 32, 8, 32, 32), uniform(32, 32, 3, 3, 3)
        nb, c, d, h, wd = x.shape
        o = w.shape[0]
        wm = w.reshape(o, -1)

        def conv3d():
            xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (1, 1)))
            win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3, 3), axis=(2, 3, 4))  # [N, C, D, H, W, 3, 3, 3]
            cols = win.transpose(0, 2, 3, 4, 1, 5, 6, 7).reshape(nb * d * h * wd, c * 27)
            return (cols @ wm.T).reshape(nb, d, h, wd, o).transpose(0, 4, 1, 2, 3)

        best, med = timed(conv3d, r, clock)
        report("conv3d 2x32x8x32x32 k3", best, med, 2.0 * nb * o * d * h * wd * c * 27, "GFLOP/s")
    if "attention" in only:
        q, k_, v = uniform(8, 4, 256, 64), uniform(8, 4, 256, 64), uniform(8, 4, 256, 64)
        scale = 1 / np.sqrt(64)

        def attention():
            s = (q @ k_.transpose(0, 1, 3, 2)) * scale
            e = np.exp(s - s.max(axis=-1, keepdims=True))
            return (e / e.sum(axis=-1, keepdims=True)) @ v

        best, med = timed(attention, r, clock)
        report("attention 8x4x256x64", best, med, 4.0 * 8 * 4 * 256 * 256 * 64, "GFLOP/s")
    if "stream" in only:
        # STREAM's four kernels into preallocated outputs (no allocation), as StreamBench runs them;
        # triad takes two NumPy passes (multiply, then add in place), there being no fused a = b + s c.
        a, b, c = np.full(N, 1, np.float32), np.full(N, 2, np.float32), np.zeros(N, np.float32)
        s = np.float32(3)

        def triad():
            np.multiply(c, s, out=a)
            np.add(a, b, out=a)

        for name, fn, arrays in (("copy", lambda: np.copyto(c, a), 2), ("scale", lambda: np.multiply(c, s, out=b), 2),
                                 ("add", lambda: np.add(a, b, out=c), 3), ("triad", triad, 3)):
            best, med = timed(fn, r, clock)
            report(f"stream {name} 16M", best, med, arrays * 4 * N, "GB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
