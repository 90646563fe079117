#!/usr/bin/env bash
# Runs the STREAM kernels (StreamBench, the bandwidth ceiling), the elementwise ops, the reduction and
# softmax (ElementwiseBench, ReductionBench, SoftmaxBench) and NumPy's versions of all of them back to
# back, and prints per thread count: our time and GB/s, NumPy's, the ratio (NumPy time / ours: above 1
# means we are faster), and our GB/s as a fraction of our STREAM figure for the same traffic pattern.
#
# Usage: bench/scripts/elementwise_vs_numpy.sh [threads, default "1,2"]
# Environment: JMH_ARGS (default "-wi 3 -i 5 -f 1"), NUMPY_REPEATS (default 10).
#
# A second table times both single-threaded by the thread's CPU time (user + system, so page faults
# count), which a busy machine distorts much less than the wall clock.
#
# Times are the best iteration (JMH: the fastest iteration mean; NumPy: the fastest call). NumPy's
# elementwise ops are single-threaded whatever the thread count, so its row repeats at 2 threads.
# Other work on the cores moves both sides: check the load average printed first.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
threads="${1:-1,2}"
jmh_args="${JMH_ARGS:--wi 3 -i 5 -f 1}"

. "$root/.mvn/find-jdk25.sh"
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  ./mvnw -q -B -o -pl bench -am package -DskipTests
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== $(date '+%F %T'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== JMH: StreamBench, ElementwiseBench, ReductionBench, SoftmaxBench threads=$threads $jmh_args"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$jar" 'StreamBench|ElementwiseBench|ReductionBench|SoftmaxBench' $jmh_args -p "threads=$threads" \
  -rf json -rff "$tmp/jmh.json" >"$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log"; exit 1; }
echo "== NumPy"
python3 "$root/bench/scripts/numpy_peers.py" --threads 1 --only add,exp,sum,softmax,stream --repeats "${NUMPY_REPEATS:-10}" >"$tmp/numpy.tsv"
echo "== single-threaded CPU time: ElementwiseCpuTime and NumPy --clock cpu"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" \
  org.ddrl.bench.ElementwiseCpuTime "${NUMPY_REPEATS:-20}" 2>/dev/null >"$tmp/ours_cpu.tsv"
python3 "$root/bench/scripts/numpy_peers.py" --threads 1 --clock cpu --only add,exp,sum,softmax,stream \
  --repeats "${NUMPY_REPEATS:-20}" >"$tmp/numpy_cpu.tsv"
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp" <<'PY'
import json, os, sys

tmp = sys.argv[1]
N = 1 << 24
# name in the table: (JMH benchmark, NumPy line, bytes moved, STREAM kernel with the same reads/writes)
rows = [
    ("stream copy", "StreamBench.copy", "stream copy 16M", 2 * 4 * N, None),
    ("stream scale", "StreamBench.scale", "stream scale 16M", 2 * 4 * N, None),
    ("stream add", "StreamBench.add", "stream add 16M", 3 * 4 * N, None),
    ("stream triad", "StreamBench.triad", "stream triad 16M", 3 * 4 * N, None),
    ("add 16M", "ElementwiseBench.add", "add 16M", 3 * 4 * N, "StreamBench.add"),
    ("exp 16M", "ElementwiseBench.exp", "exp 16M", 2 * 4 * N, "StreamBench.scale"),
    ("sum 16M", "ReductionBench.sum", "sum 16M", 4 * N, "StreamBench.scale"),
    ("softmax 4096x1024", "SoftmaxBench.softmax", "softmax 4096x1024", 2 * 4 * 4096 * 1024, "StreamBench.scale"),
]
numpy = {}
for line in open(os.path.join(tmp, "numpy.tsv")):
    if line.startswith("#"):
        continue
    name, best_ms, _median, _fig, _unit = line.rstrip("\n").split("\t")
    numpy[name] = float(best_ms)
ours = {}
for run in json.load(open(os.path.join(tmp, "jmh.json"))):
    bench = run["benchmark"].rsplit(".", 2)
    key = bench[-2] + "." + bench[-1]
    t = int(run["params"]["threads"])
    ours[(key, t)] = min(ms for fork in run["primaryMetric"]["rawData"] for ms in fork)


def gbs(nbytes, ms):
    return nbytes / (ms * 1e-3) / 1e9


print(f"{'workload':<18} {'thr':>3} | {'ours ms':>8} {'GB/s':>6} | {'numpy ms':>8} {'GB/s':>6} | {'numpy/ours':>10} | {'of STREAM':>9}")
for t in sorted({t for (_k, t) in ours}):
    for name, key, npname, nbytes, ceiling in rows:
        if (key, t) not in ours:
            continue
        ms = ours[(key, t)]
        npms = numpy.get(npname)
        ratio = f"{npms / ms:10.2f}" if npms else f"{'n/a':>10}"
        np_cols = f"{npms:8.2f} {gbs(nbytes, npms):6.1f}" if npms else f"{'n/a':>8} {'':>6}"
        of = ""
        if ceiling and (ceiling, t) in ours:
            c_bytes = 3 * 4 * N if ceiling.endswith("add") else 2 * 4 * N
            of = f"{gbs(nbytes, ms) / gbs(c_bytes, ours[(ceiling, t)]):9.2f}"
        print(f"{name:<18} {t:>3} | {ms:8.2f} {gbs(nbytes, ms):6.1f} | {np_cols} | {ratio} | {of:>9}")


def tsv(path):
    out = {}
    for line in open(os.path.join(tmp, path)):
        if not line.startswith("#") and line.strip():
            f = line.rstrip("\n").split("\t")
            out[f[0]] = float(f[1])
    return out


ours_cpu, numpy_cpu = tsv("ours_cpu.tsv"), tsv("numpy_cpu.tsv")
print()
print("single-threaded, CPU time of the calling thread (best call)")
print(f"{'workload':<18} | {'ours ms':>8} {'GB/s':>6} | {'numpy ms':>8} {'GB/s':>6} | {'numpy/ours':>10} | {'of STREAM':>9}")
for name, key, npname, nbytes, ceiling in rows:
    ms, npms = ours_cpu.get(npname), numpy_cpu.get(npname)
    if ms is None or npms is None:
        continue
    of = ""
    if ceiling:
        cname = "stream add 16M" if ceiling.endswith("add") else "stream scale 16M"
        c_bytes = 3 * 4 * N if ceiling.endswith("add") else 2 * 4 * N
        of = f"{gbs(nbytes, ms) / gbs(c_bytes, ours_cpu[cname]):9.2f}"
    print(f"{name:<18} | {ms:8.2f} {gbs(nbytes, ms):6.1f} | {npms:8.2f} {gbs(nbytes, npms):6.1f} | {npms / ms:10.2f} | {of:>9}")
PY
