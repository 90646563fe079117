package org.ddrl.kernels.cuda;

/** A grid or block size. */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) throw new IllegalArgumentException("Dim3: every extent must be >= 1, got (" + x + ", " + y + ", " + z + ")");
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
        return new Dim3(x, y, 1);
    }

    /** Enough blocks of {@code block} threads to cover n. */
    public static Dim3 cover(long n, int block) {
        long blocks = Math.max(1, (n + block - 1) / block);
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("Dim3.cover: " + n + " elements need too many blocks");
        return new Dim3((int) blocks, 1, 1);
    }
}
