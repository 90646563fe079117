// Emulated CUDA device: __half (<cuda_fp16.h>) has no host equivalent.
#error "__half (<cuda_fp16.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
