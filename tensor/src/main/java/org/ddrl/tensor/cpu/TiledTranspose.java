package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.Parallel;

/**
 * Same-dtype copy where the source is read across its unit-stride dim (a transpose or permute made
 * contiguous). Row-by-row copying would touch a new cache line per element; square tiles keep both the
 * source lines and the destination lines in L1 while a tile is moved.
 */
final class TiledTranspose {
    private static final int TILE = 32;

    private TiledTranspose() {}

    /** The unit-stride source dim when the tiled path pays off, else -1. */
    private static int unitDim(Layout l) {
        int r = l.shape().length;
        if (r < 2 || l.dstStrides()[r - 1] != 1 || l.srcStrides()[r - 1] == 1 || l.shape()[r - 1] < 8) return -1;
        for (int k = 0; k < r - 1; k++) {
            if (l.srcStrides()[k] == 1 && l.shape()[k] >= 8) return k;
        }
        return -1;
    }

    static boolean applies(Layout l) {
        return unitDim(l) >= 0;
    }

    static void copy(MemorySegment s, long soff, MemorySegment d, long doff, Layout l, int es) {
        int[] shape = l.shape();
        long[] st = l.srcStrides(), dt = l.dstStrides();
        int r = shape.length, k = unitDim(l), last = r - 1;
        int nk = shape[k], nl = shape[last];
        long sl = st[last], dk = dt[k];
        int[] oshape = new int[r - 2];
        long[] ost = new long[r - 2], odt = new long[r - 2];
        for (int i = 0, j = 0; i < last; i++) {
            if (i == k) continue;
            oshape[j] = shape[i];
            ost[j] = st[i];
            odt[j++] = dt[i];
        }
        long outer = 1;
        for (int x : oshape) outer *= x;
        int tilesK = (nk + TILE - 1) / TILE;
        Parallel.forRange(outer * tilesK, Math.max(1, 4096 / ((long) TILE * nl + 1)), (lo, hi) -> {
            for (long w = lo; w < hi; w++) {
                long o = w / tilesK;
                int i0 = (int) (w % tilesK) * TILE, i1 = Math.min(nk, i0 + TILE);
                long sb = soff, db = doff;
                for (int q = oshape.length - 1; q >= 0; q--) {
                    long c = o % oshape[q];
                    o /= oshape[q];
                    sb += c * ost[q];
                    db += c * odt[q];
                }
                for (int j0 = 0; j0 < nl; j0 += TILE) {
                    int j1 = Math.min(nl, j0 + TILE);
                    tile(s, sb, sl, d, db, dk, i0, i1, j0, j1, es);
                }
            }
        });
    }

    /** dst[db + i * dk + j] = src[sb + i + j * sl] over the tile. */
    private static void tile(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, int i0, int i1, int j0, int j1, int es) {
        switch (es) {
            case 4 -> {
                for (int i = i0; i < i1; i++) {
                    long dr = db + i * dk, sr = sb + i;
                    for (int j = j0; j < j1; j++) d.setAtIndex(JAVA_INT, dr + j, s.getAtIndex(JAVA_INT, sr + j * sl));
                }
            }
            case 8 -> {
                for (int i = i0; i < i1; i++) {
                    long dr = db + i * dk, sr = sb + i;
                    for (int j = j0; j < j1; j++) d.setAtIndex(JAVA_LONG, dr + j, s.getAtIndex(JAVA_LONG, sr + j * sl));
                }
            }
            case 2 -> {
                for (int i = i0; i < i1; i++) {
                    long dr = db + i * dk, sr = sb + i;
                    for (int j = j0; j < j1; j++) d.setAtIndex(JAVA_SHORT, dr + j, s.getAtIndex(JAVA_SHORT, sr + j * sl));
                }
            }
            default -> {
                for (int i = i0; i < i1; i++) {
                    long dr = db + i * dk, sr = sb + i;
                    for (int j = j0; j < j1; j++) d.set(JAVA_BYTE, dr + j, s.get(JAVA_BYTE, sr + j * sl));
                }
            }
        }
    }
}
