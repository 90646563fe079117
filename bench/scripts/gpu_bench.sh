#!/usr/bin/env bash
# Runs the GPU benchmarks (GpuGemmBench against cuBLAS, GpuElementwiseBench against cuMemcpyDtoD,
# GpuAttentionBench, GpuDitBlockBench) after printing the card, the load average and, where nvidia-smi
# exists, its clocks. Where there is no usable GPU it prints why and exits 0 without running anything.
#
# Usage: bench/scripts/gpu_bench.sh [JMH arguments: a benchmark pattern first, then options]
#   bench/scripts/gpu_bench.sh                                      # everything
#   bench/scripts/gpu_bench.sh GpuGemmBench -p precision=bf16        # one class, one parameter value
# Environment: JMH_ARGS (default "-wi 3 -i 5 -f 1"), appended after the arguments.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  ./mvnw -q -B -o -pl bench -am package -DskipTests
fi

echo "== $(date '+%F %T'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit --format=csv || true
fi
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" \
  org.ddrl.bench.GpuBench "$@" ${JMH_ARGS:--wi 3 -i 5 -f 1}
