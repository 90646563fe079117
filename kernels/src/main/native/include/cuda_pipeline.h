// Emulated CUDA device: cp.async / cuda::pipeline (<cuda_pipeline.h>) has no host equivalent.
#error "cp.async / cuda::pipeline (<cuda_pipeline.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
