package org.ddrl.kernels.cpu;

/**
 * Per-thread packing buffers, grown on demand and kept for the next call, so a GEMM allocates nothing
 * once warm. The calling thread's packed B is read by the workers it forks; each thread packs its own A.
 */
final class GemmScratch {
    private static final ThreadLocal<GemmScratch> LOCAL = ThreadLocal.withInitial(GemmScratch::new);

    private float[] floatA = new float[0];
    private float[] floatB = new float[0];
    private double[] doubleA = new double[0];
    private double[] doubleB = new double[0];

    private GemmScratch() {}

    static GemmScratch get() {
        return LOCAL.get();
    }

    float[] floatA(int size) {
        if (floatA.length < size) floatA = new float[size];
        return floatA;
    }

    float[] floatB(int size) {
        if (floatB.length < size) floatB = new float[size];
        return floatB;
    }

    double[] doubleA(int size) {
        if (doubleA.length < size) doubleA = new double[size];
        return doubleA;
    }

    double[] doubleB(int size) {
        if (doubleB.length < size) doubleB = new double[size];
        return doubleB;
    }
}
