#!/usr/bin/env bash
# Runs the two training steps of TrainingStepBench (MLP 1024 x 512 -> 2048 -> 512, attention block B8 T256
# D256 H4; forward, loss, backward) in ours (JMH) and in PyTorch 2.7.1 CPU through DJL 0.36.0
# (TorchTrainingStep) back to back, and prints per workload and thread count both times and the ratio
# (PyTorch time / ours: above 1 means we are faster).
#
# Usage: bench/scripts/training_vs_pytorch.sh [threads, default "1,2"]
# Environment: JMH_ARGS (default "-wi 3 -i 5 -f 1"), TORCH_WARMUP (default 10), TORCH_ITERATIONS (default 30).
#
# PyTorch runs offline (-Dai.djl.offline=true) from the pytorch-native-cpu jar in the local Maven
# repository; libtorch fixes its thread count when it starts, so each thread count is its own JVM.
# "best" compares our fastest JMH iteration (the mean of the calls in it) with PyTorch's fastest step;
# "mean" compares the means. Other work on the cores moves both sides: check the load average first.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
threads="${1:-1,2}"
jmh_args="${JMH_ARGS:--wi 3 -i 5 -f 1}"

. "$root/.mvn/find-jdk25.sh"
jar="$root/bench/target/benchmarks.jar"
cpfile="$root/bench/target/classpath.txt"
if [ ! -f "$jar" ] || [ ! -f "$cpfile" ]; then
  # the class path file lists the DJL jars, which benchmarks.jar leaves out
  ./mvnw -q -B -o -Ppytorch -pl bench -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== $(date '+%F %T'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== JMH: TrainingStepBench threads=$threads $jmh_args"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$jar" 'TrainingStepBench' $jmh_args -p "threads=$threads" -rf json -rff "$tmp/jmh.json" \
  >"$tmp/jmh.log" 2>&1 || { cat "$tmp/jmh.log"; exit 1; }

torch_run() { # threads clock
  "$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
    -cp "$root/bench/target/ddrl-bench-0.1.0-SNAPSHOT.jar:$(cat "$cpfile")" org.ddrl.bench.TorchTrainingStep \
    --threads "$1" --clock "$2" --warmup "${TORCH_WARMUP:-10}" --iterations "${TORCH_ITERATIONS:-30}" 2>"$tmp/torch.err" \
    || { cat "$tmp/torch.err"; exit 1; }
}
ours_cpu() { # threads
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" \
    org.ddrl.bench.TrainingStepCpuTime --threads "$1" --clock cpu --warmup "${TORCH_WARMUP:-10}" \
    --iterations "${TORCH_ITERATIONS:-30}" 2>/dev/null
}

IFS=',' read -r -a tlist <<<"$threads"
for t in "${tlist[@]}"; do
  echo "== PyTorch through DJL, $t thread(s), wall clock"
  torch_run "$t" wall | tee -a "$tmp/torch_wall.tsv" | grep '^#'
done
for t in "${tlist[@]}"; do
  echo "== ours and PyTorch, $t thread(s), CPU time"
  ours_cpu "$t" | tee -a "$tmp/ours_cpu.tsv" | grep '^#'
  torch_run "$t" cpu | tee -a "$tmp/torch_cpu.tsv" | grep '^#'
done
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp" <<'PY'
import json, os, statistics, sys

tmp = sys.argv[1]


def read(name):
    rows = {}
    for line in open(os.path.join(tmp, name)):
        if line.startswith("#") or not line.strip():
            continue
        w, t, best, mean, _median = line.rstrip("\n").split("\t")
        rows[(w, int(t))] = (float(best), float(mean))
    return rows


def table(title, ours, torch):
    print(title)
    print(f"{'workload':<10} {'thr':>3} | {'best: ours':>10} {'pytorch':>8} {'ratio':>6} | {'mean: ours':>10} {'pytorch':>8} {'ratio':>6}")
    for (w, t), (best, mean) in sorted(ours.items()):
        if (w, t) in torch:
            tb, tm = torch[(w, t)]
            print(f"{w:<10} {t:>3} | {best:10.1f} {tb:8.1f} {tb / best:6.2f} | {mean:10.1f} {tm:8.1f} {tm / mean:6.2f}")


names = {"mlpForwardBackward": "mlp", "attentionForwardBackward": "attention"}
jmh = {}
for run in json.load(open(os.path.join(tmp, "jmh.json"))):
    iters = [ms for fork in run["primaryMetric"]["rawData"] for ms in fork]
    jmh[(names[run["benchmark"].rsplit(".", 1)[1]], int(run["params"]["threads"]))] = (min(iters), statistics.mean(iters))
table("wall clock, ms per step (ours: JMH iterations; ratio = PyTorch / ours, above 1: we are faster)", jmh, read("torch_wall.tsv"))
print()
table("CPU time, ms per step (1 thread: the calling thread, exact; more: the process in 10 ms ticks, use the means; ratio = PyTorch / ours)", read("ours_cpu.tsv"), read("torch_cpu.tsv"))
PY
