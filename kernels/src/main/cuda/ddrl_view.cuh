// A tensor view as a by-value kernel parameter, and element addressing through it.
//
// The C layout is fixed and mirrored byte for byte by org.ddrl.tensor.cuda.ViewDesc (little-endian,
// 8-byte aligned, 112 bytes):
//
//   offset   0  long long offset     element offset of element [0, ..., 0] in the storage
//   offset   8  long long stride[8]  element strides (0 on broadcast dims); entries past rank unused
//   offset  72  int       size[8]    extents; entries past rank unused
//   offset 104  int       rank       0..8 (0 is a single element)
//   offset 108  int       dtype      DType ordinal (see ddrl_dtype.cuh)
//
// Operands of one elementwise launch share the output's sizes (Java expands them), so one linear
// row-major index addresses an element of each. Java merges dims that are laid out alike in every
// operand before packing, so dense tensors arrive as rank 1 and take the short path.
#pragma once

#define DDRL_MAX_DIMS 8

struct __align__(8) ddrl_view {
    long long offset;
    long long stride[DDRL_MAX_DIMS];
    int size[DDRL_MAX_DIMS];
    int rank;
    int dtype;
};

/** Up to eight int values by value, e.g. the leading pads of each dim (layout: int v[8], 32 bytes). */
struct __align__(4) ddrl_ints8 {
    int v[DDRL_MAX_DIMS];
};

/** Element offset of the element with row-major linear index i (I is the index type the launch uses). */
template <class I>
__device__ __forceinline__ long long ddrl_offset(const ddrl_view& v, I i) {
    if (v.rank == 1) return v.offset + (long long)i * v.stride[0];
    long long off = v.offset;
    for (int d = v.rank - 1; d >= 0; d--) {
        I s = (I)v.size[d];
        I q = i / s;
        off += (long long)(i - q * s) * v.stride[d];
        i = q;
    }
    return off;
}

/** Offsets of linear index i in two views of the same sizes (those of a). */
template <class I>
__device__ __forceinline__ void ddrl_offset2(const ddrl_view& a, const ddrl_view& b, I i, long long& oa, long long& ob) {
    if (a.rank == 1) {
        oa = a.offset + (long long)i * a.stride[0];
        ob = b.offset + (long long)i * b.stride[0];
        return;
    }
    oa = a.offset;
    ob = b.offset;
    for (int d = a.rank - 1; d >= 0; d--) {
        I s = (I)a.size[d];
        I q = i / s;
        long long r = (long long)(i - q * s);
        oa += r * a.stride[d];
        ob += r * b.stride[d];
        i = q;
    }
}

/** Offsets of linear index i in three views of the same sizes (those of a). */
template <class I>
__device__ __forceinline__ void ddrl_offset3(const ddrl_view& a, const ddrl_view& b, const ddrl_view& c, I i, long long& oa,
                                             long long& ob, long long& oc) {
    if (a.rank == 1) {
        oa = a.offset + (long long)i * a.stride[0];
        ob = b.offset + (long long)i * b.stride[0];
        oc = c.offset + (long long)i * c.stride[0];
        return;
    }
    oa = a.offset;
    ob = b.offset;
    oc = c.offset;
    for (int d = a.rank - 1; d >= 0; d--) {
        I s = (I)a.size[d];
        I q = i / s;
        long long r = (long long)(i - q * s);
        oa += r * a.stride[d];
        ob += r * b.stride[d];
        oc += r * c.stride[d];
        i = q;
    }
}

/** Offset of element (b, row, col) of a view whose last two dims are [row, col] and whose leading dims hold batch index b. */
__device__ __forceinline__ long long ddrl_matrix_offset(const ddrl_view& v, long long b, long long row, long long col) {
    long long off = v.offset + row * v.stride[v.rank - 2] + col * v.stride[v.rank - 1];
    for (int d = v.rank - 3; d >= 0; d--) {
        long long s = v.size[d];
        long long q = b / s;
        off += (b - q * s) * v.stride[d];
        b = q;
    }
    return off;
}

/** Linear thread index and grid stride of a one-dimensional launch. */
__device__ __forceinline__ unsigned long long ddrl_thread_index() {
    return (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ unsigned long long ddrl_grid_stride() {
    return (unsigned long long)gridDim.x * blockDim.x;
}

/**
 * Runs body(i) for every i in [0, n) over a grid-stride loop, with 32-bit index arithmetic when n fits
 * (64-bit division is several times slower on the GPU).
 */
template <class F>
__device__ __forceinline__ void ddrl_for_each(long long n, F body) {
    if (n <= 0x7fffffffLL) {
        unsigned stride = (unsigned)ddrl_grid_stride();
        for (unsigned i = (unsigned)ddrl_thread_index(); i < (unsigned)n; i += stride) body(i);
    } else {
        unsigned long long stride = ddrl_grid_stride();
        for (unsigned long long i = ddrl_thread_index(); i < (unsigned long long)n; i += stride) body(i);
    }
}
