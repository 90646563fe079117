#!/bin/sh
# Pre-trains the tiny experiment model (the embedded default config, pretrain-tiny.yaml) on 2 CPU cores, then prints
# the attribute accuracy of its EMA samples on the training prompts and the wall time of the whole script.
#   scripts/pretrain-tiny.sh [OUTPUT_DIR]        (default: runs/pretrain-tiny-DATE)
# The first run also builds the project (./ddrl does), which counts in the wall time.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/runs/pretrain-tiny-$(date +%Y%m%d-%H%M%S)}
start=$(date +%s)
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

DDRL_JAVA_OPTS="${DDRL_JAVA_OPTS:-} -Dddrl.threads=2" "$root/ddrl" pretrain --out "$out" --threads 2

end=$(date +%s)
acc=$(ls -d "$out"/samples/step_*/accuracy.json | tail -n 1)
# the detector's fractions, straight from accuracy.json ("all" = colour, shape and direction all right)
field() { sed -n "s/^  \"$1\" : \([^,]*\),*$/\1/p" "$acc" | head -n 1; }
echo
echo "checkpoint: $(ls -d "$out"/checkpoints/step_* | tail -n 1)"
echo "samples and scores: $(dirname "$acc")"
echo "attribute accuracy on $(field count) training prompts: all three right $(field all); colour $(field colour), shape $(field shape), direction $(field direction); no object found in $(field not_found)"
echo "wall time of the script: $((end - start)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
