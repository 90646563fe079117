package org.ddrl.kernels.cuda.driver;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The option arrays handed to cuModuleLoadDataEx, and reading back what the JIT wrote. */
class JitLogTest {
    @Test
    void optionsPairTheBufferWithItsSize() {
        try (JitLog log = new JitLog()) {
            assertEquals(2, log.count());
            assertEquals(JitLog.CU_JIT_ERROR_LOG_BUFFER, log.options().getAtIndex(ValueLayout.JAVA_INT, 0));
            assertEquals(JitLog.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, log.options().getAtIndex(ValueLayout.JAVA_INT, 1));
            assertEquals(JitLog.LOG_BYTES, log.values().getAtIndex(ValueLayout.ADDRESS, 1).address());
            assertEquals("", log.errorSuffix());

            // what the driver does on a failed load: writes the message into the buffer
            @SuppressWarnings("restricted") // the buffer is the log's own allocation
            MemorySegment buffer = log.values().getAtIndex(ValueLayout.ADDRESS, 0).reinterpret(JitLog.LOG_BYTES);
            buffer.setString(0, "ptxas application ptx input, line 12; error   : Unknown symbol 'x'\n");
            assertEquals("\nJIT error log:\nptxas application ptx input, line 12; error   : Unknown symbol 'x'", log.errorSuffix());
        }
    }
}
