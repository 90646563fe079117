// Kernels for the GPU tests of the driver bindings. No PTX is built for test resources, so loading this
// module exercises the NVRTC path, including a header from the class path.
#include "driver_gpu_test.cuh"

extern "C" __global__ void driver_test_saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = driver_test_axpy(a, x[i], y[i]);
}

// Reverses each block's slice through dynamic shared memory; the tests launch it with more than 48 KiB.
extern "C" __global__ void driver_test_reverse_blocks(const float* in, float* out, int n) {
    extern __shared__ float tile[];
    int base = blockIdx.x * blockDim.x * 16;
    for (int j = threadIdx.x; j < blockDim.x * 16; j += blockDim.x) {
        int i = base + j;
        tile[j] = i < n ? in[i] : 0.0f;
    }
    __syncthreads();
    int len = (int) blockDim.x * 16;
    if (n - base < len) len = n - base;
    for (int j = threadIdx.x; j < len; j += blockDim.x) out[base + j] = tile[len - 1 - j];
}

// Adds one to every element many times over, so that two events around it measure a visible time.
extern "C" __global__ void driver_test_spin(float* data, int n, int rounds) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float v = data[i];
    for (int r = 0; r < rounds; r++) v = v * 0.999999f + 1.0f;
    data[i] = v;
}
