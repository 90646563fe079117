#!/usr/bin/env bash
# Runs the JMH sgemm benchmark and NumPy's matmul on the same shapes back to back, and prints ours,
# NumPy's and the ratio per shape and thread count.
#
# Usage: bench/scripts/side_by_side.sh [threads, default "1,2"] [shapes, default all of MatmulBench]
#   e.g. bench/scripts/side_by_side.sh 1 1024x1024x1024
# Environment: JMH_ARGS (default "-wi 3 -i 5 -f 1"), NUMPY_REPEATS (default 10).
#
# Two comparisons per row: "best" sets our fastest JMH iteration (each the mean of many calls) against
# NumPy's fastest single call, which errs slightly against us; "typical" sets JMH's mean over all
# iterations against NumPy's median. Other work on the cores moves both sides, the means most: check
# the load (uptime) first.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
threads="${1:-1,2}"
shapes="${2:-}"
jmh_args="${JMH_ARGS:--wi 3 -i 5 -f 1}"

. "$root/.mvn/find-jdk25.sh"
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  ./mvnw -q -B -o -pl bench -am package -DskipTests
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

params=(-p "threads=$threads")
[ -n "$shapes" ] && params+=(-p "shape=$shapes")
echo "== $(date '+%F %T'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== JMH: MatmulBench.sgemm threads=$threads $jmh_args"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$jar" 'MatmulBench.sgemm' $jmh_args "${params[@]}" -rf json -rff "$tmp/jmh.json" >"$tmp/jmh.log" 2>&1 \
  || { cat "$tmp/jmh.log"; exit 1; }

IFS=',' read -r -a tlist <<<"$threads"
for t in "${tlist[@]}"; do
  echo "== NumPy: OPENBLAS_NUM_THREADS=$t"
  python3 "$root/bench/scripts/numpy_peers.py" --threads "$t" --only matmul --repeats "${NUMPY_REPEATS:-10}" >"$tmp/numpy_$t.tsv"
done
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp" <<'PY'
import glob, json, os, statistics, sys

tmp = sys.argv[1]
numpy = {}
for path in glob.glob(os.path.join(tmp, "numpy_*.tsv")):
    t = int(path.rsplit("_", 1)[1].split(".")[0])
    for line in open(path):
        if line.startswith("#"):
            continue
        name, best_ms, median_ms, _figure, _unit = line.rstrip("\n").split("\t")
        numpy[(name.split()[1], t)] = (float(best_ms), float(median_ms))


def gflops(m, k, n, ms):
    return 2.0 * m * k * n / (ms * 1e-3) / 1e9


print(f"{'shape (m x k x n)':<18} {'threads':>7} | {'best: ours':>10} {'numpy':>7} {'ratio':>5} "
      f"| {'typical: ours':>13} {'numpy':>7} {'ratio':>5}   (GFLOP/s)")
for run in json.load(open(os.path.join(tmp, "jmh.json"))):
    shape, t = run["params"]["shape"], int(run["params"]["threads"])
    m, k, n = map(int, shape.split("x"))
    iters = [ms for fork in run["primaryMetric"]["rawData"] for ms in fork]
    best, mean = gflops(m, k, n, min(iters)), gflops(m, k, n, statistics.mean(iters))
    if (shape, t) in numpy:
        nb, nm = (gflops(m, k, n, ms) for ms in numpy[(shape, t)])
        print(f"{shape:<18} {t:>7} | {best:10.1f} {nb:7.1f} {best / nb:5.2f} | {mean:13.1f} {nm:7.1f} {mean / nm:5.2f}")
    else:
        print(f"{shape:<18} {t:>7} | {best:10.1f} {'n/a':>7} {'':>5} | {mean:13.1f} {'n/a':>7}")
PY
