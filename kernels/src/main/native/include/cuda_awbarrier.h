// Emulated CUDA device: asynchronous barriers (<cuda_awbarrier.h>) has no host equivalent.
#error "asynchronous barriers (<cuda_awbarrier.h>) is not available in the CUDA emulator: guard its use with #ifdef __CUDA_ARCH__ and give a portable fallback (see the emulator documentation)"
