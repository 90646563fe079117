#!/usr/bin/env bash
# Runs the JMH sgemm benchmark and NumPy's matmul on the same shapes back to back, and prints ours,
# NumPy's and the ratio per shape and thread count.
#
# Usage: bench/scripts/side_by_side.sh [threads, default "1,2"] [shapes, default all of MatmulBench]
#   e.g. bench/scripts/side_by_side.sh 1 1024x1024x1024
# Environment: JMH_ARGS (default "-wi 3 -i 5 -f 1"), NUMPY_REPEATS (default 10).
#
# Ours is JMH's mean time per call; NumPy's is its best of NUMPY_REPEATS calls, so the ratio errs
# against us. Both run single-process on an otherwise idle machine only if you make it so: check
# the load (uptime) first, since other work on the cores moves both figures.
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
echo "== JMH: MatmulBench.sgemm threads=$threads $jmh_args"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar "$jar" 'MatmulBench.sgemm' $jmh_args "${params[@]}" -rf csv -rff "$tmp/jmh.csv" >"$tmp/jmh.log" 2>&1 \
  || { cat "$tmp/jmh.log"; exit 1; }

IFS=',' read -r -a tlist <<<"$threads"
for t in "${tlist[@]}"; do
  echo "== NumPy: OPENBLAS_NUM_THREADS=$t"
  python3 "$root/bench/scripts/numpy_peers.py" --threads "$t" --only matmul --repeats "${NUMPY_REPEATS:-10}" >"$tmp/numpy_$t.tsv"
done

python3 - "$tmp" <<'EOF'
import csv, glob, os, sys
tmp = sys.argv[1]
numpy = {}
for path in glob.glob(os.path.join(tmp, "numpy_*.tsv")):
    t = int(path.rsplit("_", 1)[1].split(".")[0])
    for line in open(path):
        if line.startswith("#"):
            continue
        name, best_ms, _median_ms, gflops, _unit = line.rstrip("\n").split("\t")
        numpy[(name.split()[1], t)] = float(gflops)
print(f"{'shape (m x k x n)':<18} {'threads':>7} {'ours GFLOP/s':>13} {'numpy GFLOP/s':>14} {'ratio':>6}")
with open(os.path.join(tmp, "jmh.csv")) as f:
    for row in csv.DictReader(f):
        shape, t = row["Param: shape"], int(row["Param: threads"])
        m, k, n = map(int, shape.split("x"))
        ms = float(row["Score"])
        ours = 2.0 * m * k * n / (ms * 1e-3) / 1e9
        peer = numpy.get((shape, t))
        ratio = f"{ours / peer:6.2f}" if peer else "   n/a"
        peer_s = f"{peer:14.1f}" if peer else f"{'n/a':>14}"
        print(f"{shape:<18} {t:>7} {ours:13.1f} {peer_s} {ratio}")
EOF
