// gather, index_select, scatter_add and pad.
//
// gather and index_select share one kernel: the input is read through a view whose stride along the
// gather dim is 0 (so it addresses every other coordinate), and the index value, read through its own
// view, supplies that coordinate: element offset += value * dim_stride. For index_select the index view
// repeats the 1-d index along every other dim (stride 0). A value outside [0, size) is not read; the
// smallest bad element index goes to *err (which the host set to all ones) and the host reports it.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"

extern "C" __global__ void ddrl_gather(long long n, const __grid_constant__ ddrl_view o, void* op, const __grid_constant__ ddrl_view x,
                                       const void* xp, const __grid_constant__ ddrl_view idx, const void* ip, long long dim_stride,
                                       long long size, unsigned long long* err) {
    ddrl_for_each(n, [&](auto i) {
        long long oo, ox, oi;
        ddrl_offset3(o, x, idx, i, oo, ox, oi);
        long long v = ddrl_load_i64(ip, idx.dtype, oi);
        if (v < 0 || v >= size) {
            atomicMin(err, (unsigned long long)i);
            return;
        }
        ddrl_convert(xp, x.dtype, ox + v * dim_stride, op, o.dtype, oo);
    });
}

/**
 * out[pos with pos[dim] = index[pos]] += src[pos] for every position of the index's shape. out is the
 * dense accumulator (double for floating dtypes, long long for integers) read through a view with stride
 * 0 along dim; duplicate indices accumulate with atomics.
 */
extern "C" __global__ void ddrl_scatter_add(long long n, const __grid_constant__ ddrl_view idx, const void* ip,
                                            const __grid_constant__ ddrl_view src, const void* sp, const __grid_constant__ ddrl_view out,
                                            void* op, long long dim_stride, long long size, unsigned long long* err) {
    ddrl_for_each(n, [&](auto i) {
        long long oi, os, oo;
        ddrl_offset3(idx, src, out, i, oi, os, oo);
        long long v = ddrl_load_i64(ip, idx.dtype, oi);
        if (v < 0 || v >= size) {
            atomicMin(err, (unsigned long long)i);
            return;
        }
        long long at = oo + v * dim_stride;
        if (out.dtype == DDRL_F64) {
            atomicAdd((double*)op + at, ddrl_load_f64(sp, src.dtype, os));
        } else {
            atomicAdd((unsigned long long*)op + at, (unsigned long long)ddrl_load_i64(sp, src.dtype, os));
        }
    });
}

#define PAD_CONSTANT 0
#define PAD_REFLECT 1
#define PAD_REPLICATE 2

/**
 * Every element of the dense output o maps, dim by dim, to an input coordinate (the output coordinate
 * minus before[d], reflected or clamped into the input when it falls outside, per mode) or, in constant
 * mode, to the value. x keeps its own sizes and strides (same rank as o).
 */
extern "C" __global__ void ddrl_pad(long long n, const __grid_constant__ ddrl_view o, void* op, const __grid_constant__ ddrl_view x,
                                    const void* xp, const __grid_constant__ ddrl_ints8 before, int mode, double value) {
    ddrl_for_each(n, [&](auto i) {
        long long rest = (long long)i, ox = x.offset;
        bool inside = true;
        for (int d = o.rank - 1; d >= 0; d--) {
            long long c = rest % o.size[d];
            rest /= o.size[d];
            long long s = c - before.v[d], len = x.size[d];
            if (s < 0 || s >= len) {
                if (mode == PAD_REFLECT) s = s < 0 ? -s : 2 * (len - 1) - s;
                else if (mode == PAD_REPLICATE) s = s < 0 ? 0 : len - 1;
                else inside = false;
            }
            ox += s * x.stride[d];
        }
        long long oo = ddrl_offset(o, i);
        if (inside) ddrl_convert(xp, x.dtype, ox, op, o.dtype, oo);
        else ddrl_store_f64(op, o.dtype, oo, value);
    });
}
