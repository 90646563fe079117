// Strided copies with dtype conversion: the kernel behind contiguous, cast, assign and cat.
// Both views have the same sizes; the source may broadcast (stride 0). Values convert as the CPU's cast
// does (see ddrl_dtype.cuh), and move as raw bits when the dtypes match.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"

extern "C" __global__ void ddrl_copy(long long n, const __grid_constant__ ddrl_view dst, void* dp,
                                     const __grid_constant__ ddrl_view src, const void* sp) {
    ddrl_for_each(n, [&](auto i) {
        long long od, os;
        ddrl_offset2(dst, src, i, od, os);
        ddrl_convert(sp, src.dtype, os, dp, dst.dtype, od);
    });
}
