// Emulated CUDA device: __nv_bfloat16 (<cuda_bf16.h>) has no host equivalent.
#error "__nv_bfloat16 (<cuda_bf16.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
