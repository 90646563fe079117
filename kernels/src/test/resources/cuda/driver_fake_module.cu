// Source of driver_fake_module.ptx as far as the device tests without a GPU care: they never compile it.
extern "C" __global__ void fake_saxpy(int n, float a, const float* x, float* y) {}
extern "C" __global__ void fake_noargs() {}
