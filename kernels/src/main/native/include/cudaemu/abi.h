// The contract between emulated kernel modules (lib<name>_emu.so) and the runtime (libcudaemu.so).
// Included by cuda_emu.h (kernel side), by the generated module glue and by the runtime, and by the
// generated assembly (only the constants are visible there).
#pragma once

// Capacity of the per-worker buffer that every `extern __shared__` array of a module aliases: the largest
// dynamic shared memory a block can opt into on sm_90 (227 KiB).
#define CUDAEMU_DYNSMEM_CAPACITY 232448
#define CUDAEMU_ABI_VERSION 1

#ifndef __ASSEMBLER__
#include <cstdint>

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};

namespace cudaemu {

// Kinds of block-wide and warp-wide rendezvous; the runtime computes every participant's result.
enum BlockOp : int { BLOCK_SYNC = 0, BLOCK_COUNT = 1, BLOCK_AND = 2, BLOCK_OR = 3 };
enum WarpOp : int {
    WARP_SYNC = 0,
    WARP_SHFL_IDX = 1,
    WARP_SHFL_UP = 2,
    WARP_SHFL_DOWN = 3,
    WARP_SHFL_XOR = 4,
    WARP_BALLOT = 5,
    WARP_ANY = 6,
    WARP_ALL = 7,
    WARP_MATCH_ANY = 8,
    WARP_MATCH_ALL = 9,
    WARP_REDUCE_ADD = 10,
    WARP_REDUCE_MIN = 11,
    WARP_REDUCE_MAX = 12,
    WARP_REDUCE_AND = 13,
    WARP_REDUCE_OR = 14,
    WARP_REDUCE_XOR = 15,
    WARP_REDUCE_MIN_SIGNED = 16,
    WARP_REDUCE_MAX_SIGNED = 17,
};

// One kernel parameter as the compiler lays it out; the runtime copies `size` bytes from each
// cuLaunchKernel argument cell. For pointer parameters `pointee_size` is the size of the element type
// (1 for void), which strict mode uses to check and describe accesses; it is 0 for other parameters.
struct ParamInfo {
    uint32_t size;
    uint32_t align;
    uint32_t pointee_size;
};

struct KernelDesc {
    const char* name;             // the PTX .entry name (mangled for C++ kernels)
    void (*thunk)(void** params); // unpacks the parameter cells and calls the kernel for one CUDA thread
    uint32_t param_count;
    const ParamInfo* params;
};

struct ModuleDesc {
    uint32_t abi_version;
    uint32_t kernel_count;
    const KernelDesc* kernels;
    // The calling thread's instance of the module's dynamic shared memory buffer.
    unsigned char* (*dynamic_shared)();
    const char* source_name; // the .cu file name, for messages
};

// Where a module's static shared arrays lie in its TLS segment, so that poisoning a block can cover just
// its kernel's arrays: `kernel` indexes ModuleDesc::kernels, or is -1 for arrays any kernel may use (at
// namespace scope, or in a __device__ function). Optional export `cudaemu_module_shared`.
struct SharedRange {
    uint64_t offset;
    uint64_t size;
    int64_t kernel;
};

} // namespace cudaemu

// Entry points that kernel code reaches through cuda_emu.h.
extern "C" {
extern __thread uint3 threadIdx;
extern __thread uint3 blockIdx;
extern __thread dim3 blockDim;
extern __thread dim3 gridDim;

int cudaemu_block_op(int op, int predicate, const char* file, int line);
unsigned long long cudaemu_warp_op(int op, unsigned mask, unsigned long long value, int arg, int width, const char* file,
                                   int line);
unsigned cudaemu_activemask(const char* file, int line);
[[noreturn]] void cudaemu_assert_fail(const char* expr, const char* file, int line, const char* function);
[[noreturn]] void cudaemu_trap(const char* what, const char* file, int line);
}
#endif
