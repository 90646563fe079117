// Emulated CUDA device: cooperative groups (<cooperative_groups.h>) has no host equivalent.
#error "cooperative groups (<cooperative_groups.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
