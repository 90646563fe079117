// Included with quotes by driver_gpu_test.cu, so that NVRTC must be handed it from the class path.
#pragma once

__device__ __forceinline__ float driver_test_axpy(float a, float x, float y) {
    return a * x + y;
}
