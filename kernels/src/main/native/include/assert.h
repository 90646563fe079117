// Kernel modules of the CUDA emulator see this file instead of the C library's <assert.h> (also when
// reached through <cassert>), so that a failing device assert ends the launch with CUDA_ERROR_ASSERT
// rather than calling abort() in the host process. No include guard: like the C header, every inclusion
// re-reads NDEBUG.
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
extern "C" [[noreturn]] void cudaemu_assert_fail(const char* expr, const char* file, int line, const char* function);
#define assert(e) (static_cast<bool>(e) ? void(0) : cudaemu_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
