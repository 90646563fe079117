#!/bin/sh
# Builds PTX for every kernel module: build-ptx.sh <folder of .cu files> <output folder> <virtual architecture>
#
# The target is a virtual architecture (compute_80), not a GPU: the driver JIT-compiles compute_80 PTX for the
# GPU it runs on, sm_80 (A100) and every newer one (sm_86, sm_89, sm_90 H100, sm_100 ...), and caches the result.
# Older GPUs, or a driver older than this nvcc's PTX ISA, make the loader compile the .cu with NVRTC instead.
# Without nvcc nothing is built and NVRTC compiles every module at run time.
set -eu
src=$1
out=$2
arch=$3

if ! command -v nvcc >/dev/null 2>&1; then
    echo "[cuda] nvcc is not on the PATH: no PTX built; the kernels will be compiled at run time by NVRTC"
    exit 0
fi
mkdir -p "$out"
for cu in "$src"/*.cu; do
    [ -e "$cu" ] || continue
    name=$(basename "$cu" .cu)
    ptx="$out/$name.ptx"
    # up to date when nothing in the source folder (the .cu or a header it may include) is newer than the PTX
    if [ -f "$ptx" ] && [ -z "$(find "$src" -type f -newer "$ptx" | head -n 1)" ]; then
        continue
    fi
    echo "[cuda] nvcc -ptx -arch=$arch $name.cu"
    nvcc -ptx -arch="$arch" -std=c++17 -o "$ptx.tmp" "$cu"
    mv "$ptx.tmp" "$ptx"
done
