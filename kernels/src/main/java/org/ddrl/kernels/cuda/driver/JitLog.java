package org.ddrl.kernels.cuda.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The JIT options of cuModuleLoadDataEx that capture the PTX compiler's error log: without it a bad PTX only
 * yields CUDA_ERROR_INVALID_PTX. The option values array holds the buffer's address and, for its size, an
 * integer cast to a pointer, as cuda.h specifies.
 */
public final class JitLog implements AutoCloseable {
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    static final int LOG_BYTES = 1 << 16;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment options;
    private final MemorySegment values;
    private final MemorySegment error;

    public JitLog() {
        // one spare zero byte after the buffer keeps the log NUL-terminated even when the JIT fills it
        error = arena.allocate(LOG_BYTES + 1);
        options = arena.allocate(ValueLayout.JAVA_INT, 2);
        values = arena.allocate(ValueLayout.ADDRESS, 2);
        options.setAtIndex(ValueLayout.JAVA_INT, 0, CU_JIT_ERROR_LOG_BUFFER);
        options.setAtIndex(ValueLayout.JAVA_INT, 1, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
        values.setAtIndex(ValueLayout.ADDRESS, 0, error);
        values.setAtIndex(ValueLayout.ADDRESS, 1, MemorySegment.ofAddress(LOG_BYTES));
    }

    public int count() {
        return 2;
    }

    /** The CUjit_option array. */
    public MemorySegment options() {
        return options;
    }

    /** The void* option values array. */
    public MemorySegment values() {
        return values;
    }

    public String errorLog() {
        return error.getString(0).strip();
    }

    /** The JIT error log as the tail of an error message, or "" when the JIT wrote none. */
    public String errorSuffix() {
        String log = errorLog();
        return log.isEmpty() ? "" : "\nJIT error log:\n" + log;
    }

    @Override
    public void close() {
        arena.close();
    }
}
