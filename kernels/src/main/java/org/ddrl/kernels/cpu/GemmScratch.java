package org.ddrl.kernels.cpu;

/**
 * Per-thread packing buffers, result tiles and staging lines, grown on demand and kept for the next call, so a
 * GEMM allocates nothing once warm (a step of a small model makes thousands of GEMMs). The calling thread's packed B is read by the workers it forks; each thread packs its own A.
 */
final class GemmScratch {
    private static final ThreadLocal<GemmScratch> LOCAL = ThreadLocal.withInitial(GemmScratch::new);

    private float[] floatA = new float[0];
    private float[] floatB = new float[0];
    private double[] doubleA = new double[0];
    private double[] doubleB = new double[0];
    private float[] floatAcc = new float[0];
    private float[] floatLines = new float[0];
    private double[] doubleAcc = new double[0];
    private double[] doubleLines = new double[0];

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

    /** The micro-kernel's MR x NR result tile. */
    float[] floatAcc(int size) {
        if (floatAcc.length < size) floatAcc = new float[size];
        return floatAcc;
    }

    /** Staging lines of the transposing pack paths. */
    float[] floatLines(int size) {
        if (floatLines.length < size) floatLines = new float[size];
        return floatLines;
    }

    double[] doubleAcc(int size) {
        if (doubleAcc.length < size) doubleAcc = new double[size];
        return doubleAcc;
    }

    double[] doubleLines(int size) {
        if (doubleLines.length < size) doubleLines = new double[size];
        return doubleLines;
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
