package org.ddrl.kernels.cuda.jcuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Conversions between raw handles (longs, memory segments) and JCuda's handle objects. JCuda keeps the native
 * value in a private field and offers no public constructor from a value, so the field is read and written
 * through a private lookup (JCuda is on the class path, an unnamed module, which opens all its packages).
 * JCuda's native code passes a plain Pointer's value through unchanged, so memory allocated with FFM, a
 * KernelArgs pointer array included, works with JCuda calls.
 */
final class JCudaPointers {
    private static final VarHandle NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup())
                    .findVarHandle(NativePointerObject.class, "nativePointer", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JCudaPointers() {
    }

    static long value(NativePointerObject o) {
        return (long) NATIVE_POINTER.get(o);
    }

    private static <T extends NativePointerObject> T with(T o, long value) {
        NATIVE_POINTER.set(o, value);
        return o;
    }

    static Pointer host(MemorySegment s) {
        return with(new Pointer(), s.address());
    }

    static CUdeviceptr devicePtr(long ptr) {
        return with(new CUdeviceptr(), ptr);
    }

    static CUdevice cuDevice(int device) {
        return with(new CUdevice(), device);
    }

    static CUcontext context(long h) {
        return with(new CUcontext(), h);
    }

    static CUstream stream(long h) {
        return with(new CUstream(), h);
    }

    static CUevent event(long h) {
        return with(new CUevent(), h);
    }

    static CUmodule module(long h) {
        return with(new CUmodule(), h);
    }

    static CUfunction function(long h) {
        return with(new CUfunction(), h);
    }
}
