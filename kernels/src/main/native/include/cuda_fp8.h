// Emulated CUDA device: FP8 types (<cuda_fp8.h>) has no host equivalent.
#error "FP8 types (<cuda_fp8.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
