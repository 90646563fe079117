// Emulated CUDA device: WMMA / tensor-core fragments (<mma.h>) has no host equivalent.
#error "WMMA / tensor-core fragments (<mma.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
