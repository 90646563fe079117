#!/usr/bin/env bash
# Builds the emulated CUDA device's native code with the host g++:
#   libcudaemu.so           the runtime (worker pool, fibers, scheduler, device memory)
#   lib<name>_emu.so        one kernel module per src/main/cuda/<name>.cu, compiled with -include cuda_emu.h
# into target/classes/native/linux-x86_64/, so that they travel on the class path like the PTX.
#
# The kernels of a module are the PTX .entry names when nvcc is available (C++ names demangled with
# c++filt), otherwise the `extern "C" __global__ void name(` declarations of the source: without nvcc only
# extern "C" kernels are registered.
#
# Without g++ (or off Linux x86-64) nothing is built: one line says so and the reason is left in
# cudaemu-unavailable.txt, which EmulatorAvailability reports when the emulator tests are skipped.
# Rebuilds only what is older than its inputs.
#
# Usage: build-cudaemu.sh <kernels module dir> <build dir>
set -euo pipefail

base=$(cd "$1" && pwd)
target=$2
mkdir -p "$target"
target=$(cd "$target" && pwd)
src=$base/src/main/cuda
native=$base/src/main/native
out=$target/classes/native/linux-x86_64
work=$target/cudaemu
marker=$out/cudaemu-unavailable.txt
script=$base/src/build/build-cudaemu.sh
mkdir -p "$out" "$work"

say() { echo "[cuda-emu] $*"; }

unavailable() {
    say "$1: the emulated CUDA device is not built, and its tests will be skipped"
    echo "$1" >"$marker"
    rm -f "$out"/libcudaemu.so "$out"/lib*_emu.so
    exit 0
}

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] ||
    unavailable "the CUDA emulator needs Linux on x86-64, this is $(uname -s) $(uname -m)"
CXX=${CXX:-g++}
command -v "$CXX" >/dev/null 2>&1 || unavailable "$CXX was not found on the PATH at build time"
major=$("$CXX" -dumpversion | cut -d. -f1)
[ "$major" -ge 11 ] 2>/dev/null || unavailable "$CXX $("$CXX" -dumpversion) is too old (C++20 needs g++ 11 or newer)"
for tool in readelf nm c++filt perl; do
    command -v $tool >/dev/null 2>&1 || unavailable "$tool was not found on the PATH at build time"
done
rm -f "$marker"

# True when $1 is missing or older than any of the other arguments.
stale() {
    local t=$1
    shift
    [ -e "$t" ] || return 0
    local f
    for f in "$@"; do
        [ "$f" -nt "$t" ] && return 0
    done
    return 1
}

start=$(date +%s.%N)
built=()

# ---- the runtime
runtime_inputs=("$script" "$native"/runtime/* "$native"/include/cudaemu/abi.h)
if stale "$out/libcudaemu.so" "${runtime_inputs[@]}"; then
    pids=()
    for f in "$native"/runtime/*.cpp "$native"/runtime/*.S; do
        o=$work/runtime-$(basename "$f").o
        "$CXX" -std=c++20 -O2 -fPIC -mtls-dialect=gnu2 -fvisibility=hidden -U_FORTIFY_SOURCE -Wall -Wextra -c "$f" -o "$o" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    "$CXX" -shared -o "$out/libcudaemu.so" "$work"/runtime-*.o -Wl,-soname,libcudaemu.so -Wl,-z,nodelete \
        -Wl,-z,defs -lpthread -ldl
    built+=(libcudaemu.so)
fi

# TLS symbols the runtime defines (the built-ins); every other undefined TLS symbol of a module is an
# `extern __shared__` array.
runtime_tls=$(readelf --dyn-syms -W "$out/libcudaemu.so" | awk '$4 == "TLS" && $7 != "UND" { print $8 }')

# Kernel entries of $1.cu, one "<entry> <C++ expression naming the kernel>" per line.
kernel_entries() {
    local name=$1 ptx=$target/classes/cuda/$1.ptx
    if command -v nvcc >/dev/null 2>&1; then
        if stale "$ptx" "$src/$name.cu"; then
            ptx=$work/$name.ptx
            nvcc -ptx -arch=sm_90 -I"$src" "$src/$name.cu" -o "$ptx" >&2
        fi
        perl -ne 'print "$1\n" if /^\s*(?:\.visible\s+|\.weak\s+)?\.entry\s+([A-Za-z_\$][\w\$]*)/' "$ptx" |
            while read -r entry; do
                case $entry in
                _Z*) echo "$entry $(c++filt "$entry" | perl -e '
                        my $d = <STDIN>; chomp $d;
                        die "cannot name kernel $d from host code\n" if $d =~ /\(anonymous namespace\)/;
                        # the parameter list is the parenthesised group that ends the string
                        my ($depth, $i) = (0, length($d) - 1);
                        for (; $i >= 0; $i--) {
                            my $c = substr($d, $i, 1);
                            $depth++ if $c eq ")";
                            $depth-- if $c eq "(";
                            last if $depth == 0;
                        }
                        my ($fn, $params) = (substr($d, 0, $i), substr($d, $i));
                        $fn =~ s/^void\s+//; # function templates carry their return type
                        print "static_cast<void(*)$params>(&$fn)\n";')" ;;
                *) echo "$entry $entry" ;;
                esac
            done
    else
        perl -0777 -ne 'while (/extern\s+"C"\s+__global__\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(/g) { print "$1 $1\n" }' \
            "$src/$name.cu"
    fi
}

build_module() {
    local name=$1
    local lib=$out/lib${name}_emu.so glue=$work/${name}_emu.cpp obj=$work/${name}.o
    local entries
    entries=$(kernel_entries "$name")
    {
        echo "// Generated by build-cudaemu.sh from $name.cu: the emulated module's kernel table."
        echo "#include \"$name.cu\""
        echo "namespace {"
        if [ -n "$entries" ]; then
            echo "const cudaemu::KernelDesc kernels[] = {"
            while read -r entry expr; do echo "    CUDAEMU_KERNEL(\"$entry\", $expr),"; done <<<"$entries"
            echo "};"
        fi
        echo "}"
        echo "extern thread_local unsigned char cudaemu_dynamic_smem[];"
        echo "static unsigned char* cudaemu_dynamic_shared() { return cudaemu_dynamic_smem; }"
        echo "extern \"C\" __attribute__((visibility(\"default\"))) const cudaemu::ModuleDesc* cudaemu_module() {"
        if [ -n "$entries" ]; then
            echo "    static const cudaemu::ModuleDesc desc{CUDAEMU_ABI_VERSION, sizeof kernels / sizeof kernels[0], kernels,"
        else
            echo "    static const cudaemu::ModuleDesc desc{CUDAEMU_ABI_VERSION, 0, nullptr,"
        fi
        echo "                                          &cudaemu_dynamic_shared, \"$name.cu\"};"
        echo "    return &desc;"
        echo "}"
    } >"$glue"

    "$CXX" -std=c++20 -O2 -fPIC -mtls-dialect=gnu2 -fvisibility=hidden -fvisibility-inlines-hidden -fno-extern-tls-init \
        -fno-exceptions -fno-math-errno -ffp-contract=fast -Wno-unknown-pragmas \
        -I"$native/include" -iquote "$src" -include cuda_emu.h -fmacro-prefix-map="$src/"= \
        -c "$glue" -o "$obj"

    # C++ kernels: the demangled name must have produced the very symbol of the PTX entry.
    local defined
    defined=$(nm --defined-only "$obj" | awk '{ print $3 }')
    while read -r entry expr; do
        [ -z "$entry" ] && continue
        grep -qxF "$entry" <<<"$defined" || {
            echo "[cuda-emu] $name.cu: kernel $entry is not defined by the host build (named as $expr)" >&2
            return 1
        }
    done <<<"$entries"

    # Every `extern __shared__` array becomes an alias of one per-worker dynamic shared memory buffer.
    local smem=$work/${name}_dynsmem.S
    {
        echo '#include "cudaemu/abi.h"'
        echo '    .section .tbss,"awT",@nobits'
        echo '    .p2align 7'
        echo '    .globl cudaemu_dynamic_smem'
        echo '    .hidden cudaemu_dynamic_smem'
        echo '    .type cudaemu_dynamic_smem, @tls_object'
        echo '    .size cudaemu_dynamic_smem, CUDAEMU_DYNSMEM_CAPACITY'
        echo 'cudaemu_dynamic_smem:'
        echo '    .zero CUDAEMU_DYNSMEM_CAPACITY'
        readelf -sW "$obj" | awk '$4 == "TLS" && $7 == "UND" { print $8 }' | while read -r sym; do
            [ "$sym" = cudaemu_dynamic_smem ] && continue
            grep -qxF "$sym" <<<"$runtime_tls" && continue
            echo "    .globl $sym"
            echo "    .hidden $sym"
            echo "    .type $sym, @tls_object"
            echo "    .set $sym, cudaemu_dynamic_smem"
        done
        echo '    .section .note.GNU-stack,"",@progbits'
    } >"$smem"
    "$CXX" -c -I"$native/include" "$smem" -o "$work/${name}_dynsmem.o"

    local link=("$CXX" -shared -o "$lib" "$obj" "$work/${name}_dynsmem.o" -L"$out" -lcudaemu
        -Wl,-soname,"lib${name}_emu.so" -Wl,-z,defs -Wl,-z,nodelete -Wl,-rpath,'$ORIGIN')
    "${link[@]}"

    # Where each kernel's static shared arrays landed in the TLS segment (a block-scope static of kernel K
    # is named _ZZ<K's mangled name>E...), so that poisoning a block touches its kernel's arrays only.
    # The table is data without TLS: linking it in leaves the TLS layout as it was.
    local shared=$work/${name}_shared.cpp
    readelf -sW "$lib" | ENTRIES="$entries" perl -e '
        my @kernels = map { (split / /)[0] } grep { length } split /\n/, $ENV{ENTRIES};
        my (%seen, @rows, $dynamic);
        while (<STDIN>) {
            my @f = split;
            next unless @f >= 8 && $f[3] eq "TLS" && $f[6] ne "UND";
            my ($off, $size, $sym) = (hex($f[1]), ($f[2] =~ /^0x/ ? hex($f[2]) : $f[2]), $f[7]);
            if ($sym eq "cudaemu_dynamic_smem") { $dynamic = $off; next; }
            next if $seen{$sym}++ || $size == 0;
            my $owner = -1;
            for my $k (0 .. $#kernels) {
                my $e = $kernels[$k];
                my $prefix = $e =~ /^_Z/ ? "_ZZ" . substr($e, 2) . "E" : "_ZZ" . length($e) . $e . "E";
                if (index($sym, $prefix) == 0) { $owner = $k; last; }
            }
            push @rows, [$off, $size, $owner];
        }
        die "no dynamic shared memory buffer in the module\n" unless defined $dynamic;
        @rows = grep { $_->[0] != $dynamic } @rows; # the aliases of the dynamic buffer
        print "// Generated by build-cudaemu.sh: static shared arrays in the TLS segment.\n";
        print "#include \"cudaemu/abi.h\"\n";
        print "static const cudaemu::SharedRange ranges[] = {\n";
        printf "    {%du, %du, %d},\n", @$_ for @rows;
        print "    {0, 0, -1}};\n";
        print "extern \"C\" __attribute__((visibility(\"default\"))) const cudaemu::SharedRange*\n";
        printf "cudaemu_module_shared(unsigned* count, unsigned long long* dynamic_offset) {\n";
        printf "    *count = %d;\n    *dynamic_offset = %du;\n    return ranges;\n}\n", scalar(@rows), $dynamic;
    ' >"$shared"
    "$CXX" -std=c++20 -O2 -fPIC -fvisibility=hidden -I"$native/include" -c "$shared" -o "$work/${name}_shared.o"
    "${link[@]}" "$work/${name}_shared.o"
}

# ---- the kernel modules, in parallel
shopt -s nullglob
for lib in "$out"/lib*_emu.so; do # modules whose source is gone
    name=$(basename "$lib" _emu.so)
    [ -e "$src/${name#lib}.cu" ] || rm -f "$lib"
done
headers=("$src"/*.cuh "$src"/*.h "$native"/include/*.h "$native"/include/cudaemu/*.h)
names=()
pids=()
for cu in "$src"/*.cu; do
    name=$(basename "$cu" .cu)
    if stale "$out/lib${name}_emu.so" "$cu" "$script" "$out/libcudaemu.so" "${headers[@]}"; then
        build_module "$name" &
        pids+=($!)
        names+=("$name")
    fi
done
failed=()
for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then built+=("lib${names[$i]}_emu.so"); else failed+=("${names[$i]}.cu"); fi
done
# A module that does not build must not leave an older library behind.
for f in "${failed[@]}"; do rm -f "$out/lib$(basename "$f" .cu)_emu.so"; done
if [ ${#failed[@]} -gt 0 ]; then
    say "FAILED: ${failed[*]} (see the compiler output above)"
    exit 1
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ ${#built[@]} -gt 0 ]; then
    say "built ${built[*]} in ${elapsed} s"
else
    say "native libraries are up to date"
fi
