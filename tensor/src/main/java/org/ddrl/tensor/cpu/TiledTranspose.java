package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;

/**
 * Same-dtype copy where the source is read across its unit-stride dim (a transpose or permute made
 * contiguous), and the 2-d transposed gathers other kernels need ({@link #blocks}). Row-by-row copying
 * would touch a new cache line per element; square tiles keep both the source lines and the destination
 * lines in L1 while a tile is moved.
 *
 * <p>Within a tile, square blocks of one vector's lanes (16 x 16 for 4-byte and 2-byte elements, 8 x 8
 * for 8-byte ones) are transposed in registers: one vector load per source line, log2(lanes) rounds of
 * two-source permutes that interleave the low or high halves of two vectors (after the last round each
 * vector holds one destination line), one vector store per destination line. The remainder strips of a
 * tile and 1-byte elements go element by element. The permutes are single instructions only with
 * AVX-512 (vpermi2d / vpermi2q / vpermi2w), and the Vector API would emulate them slowly elsewhere, so
 * on machines with narrower vectors every element goes the scalar way. Elements are moved as raw bits,
 * so any dtype of the size is copied exactly (NaN payloads and signed zeros included).
 */
final class TiledTranspose {
    /** Tile side in elements: 64 x 64 4-byte elements are 16 KiB read and 16 KiB written, within L1. */
    private static final int TILE = 64;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Whether the in-register block transposes run (see the class comment). */
    static final boolean VECTOR = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    private static final VectorSpecies<Short> H = ShortVector.SPECIES_256;
    /** Two-source permute indices: lane l of "lo" takes lane l / 2 of the first (even l) or second (odd l) vector; "hi" the upper halves. */
    private static final IntVector I_LO = IntVector.fromArray(I, zip(16, false), 0);
    private static final IntVector I_HI = IntVector.fromArray(I, zip(16, true), 0);
    private static final LongVector L_LO = LongVector.fromArray(L, longs(zip(8, false)), 0);
    private static final LongVector L_HI = LongVector.fromArray(L, longs(zip(8, true)), 0);
    private static final ShortVector H_LO = ShortVector.fromArray(H, shorts(zip(16, false)), 0);
    private static final ShortVector H_HI = ShortVector.fromArray(H, shorts(zip(16, true)), 0);

    /** One tile of raw elements of up to 8 bytes, for the converting copy. */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate((long) TILE * TILE * 8, 64));

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
        walk(l, (sb, sl, db, dk, i0, i1, j0, j1) -> tile(s, soff + sb, sl, d, doff + db, dk, i0, i1, j0, j1, es));
    }

    /**
     * The same walk with a dtype conversion: each tile is first transposed, as raw source elements, into
     * this thread's scratch tile, whose rows then convert as unit-stride runs ({@link CastRow}).
     */
    static void copyCast(MemorySegment s, long soff, DType sdt, MemorySegment d, long doff, DType ddt, Layout l) {
        int es = sdt.byteSize();
        walk(l, (sb, sl, db, dk, i0, i1, j0, j1) -> {
            MemorySegment t = SCRATCH.get();
            int nj = j1 - j0;
            tile(s, soff + sb + i0 + (long) j0 * sl, sl, t, 0, nj, 0, i1 - i0, 0, nj, es);
            for (int i = i0; i < i1; i++) CastRow.cast(t, sdt, (long) (i - i0) * nj, 1, d, ddt, doff + db + i * dk + j0, 1, nj);
        });
    }

    /** One tile of a walk: [i0, i1) x [j0, j1) of the 2-d slice at source offset sb, destination offset db. */
    private interface TileBody {
        void run(long sb, long sl, long db, long dk, int i0, int i1, int j0, int j1);
    }

    /** Hands every tile of the copy l to body, tiles of the unit-stride source dim split over the pool. */
    private static void walk(Layout l, TileBody body) {
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
                long sb = 0, db = 0;
                for (int q = oshape.length - 1; q >= 0; q--) {
                    long c = o % oshape[q];
                    o /= oshape[q];
                    sb += c * ost[q];
                    db += c * odt[q];
                }
                for (int j0 = 0; j0 < nl; j0 += TILE) body.run(sb, sl, db, dk, i0, i1, j0, Math.min(nl, j0 + TILE));
            }
        });
    }

    /**
     * dst[db + i * dk + j] = src[sb + i + j * sl] for i < ni, j < nj, es-byte elements as raw bits, on the
     * calling thread: a 2-d transpose from a source whose i dim is unit-stride.
     */
    static void blocks(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, int ni, int nj, int es) {
        for (int i0 = 0; i0 < ni; i0 += TILE) {
            for (int j0 = 0; j0 < nj; j0 += TILE) {
                tile(s, sb, sl, d, db, dk, i0, Math.min(ni, i0 + TILE), j0, Math.min(nj, j0 + TILE), es);
            }
        }
    }

    /** Lanes of the block kernel for es-byte elements, 0 where there is none. */
    private static int lanes(int es) {
        if (!VECTOR) return 0;
        return switch (es) {
            case 4, 2 -> 16;
            case 8 -> 8;
            default -> 0;
        };
    }

    /** The tile [i0, i1) x [j0, j1): whole blocks in registers, the strips past the last whole block element by element. */
    private static void tile(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, int i0, int i1, int j0, int j1,
                             int es) {
        int b = lanes(es);
        if (b == 0 || i1 - i0 < b || j1 - j0 < b) {
            scalar(s, sb, sl, d, db, dk, i0, i1, j0, j1, es);
            return;
        }
        int ie = i0 + (i1 - i0) / b * b, je = j0 + (j1 - j0) / b * b;
        // along the source lines first: each line's next 64 bytes follow the ones just read
        for (int j = j0; j < je; j += b) {
            for (int i = i0; i < ie; i += b) {
                long from = sb + i + j * sl, to = db + i * dk + j;
                switch (es) {
                    case 4 -> block4(s, from, sl, d, to, dk, I_LO, I_HI);
                    case 8 -> block8(s, from, sl, d, to, dk, L_LO, L_HI);
                    default -> block2(s, from, sl, d, to, dk, H_LO, H_HI);
                }
            }
        }
        scalar(s, sb, sl, d, db, dk, i0, ie, je, j1, es);
        scalar(s, sb, sl, d, db, dk, ie, i1, j0, j1, es);
    }

    /** dst[db + i * dk + j] = src[sb + i + j * sl] over [i0, i1) x [j0, j1), one element at a time. */
    private static void scalar(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, int i0, int i1, int j0, int j1,
                               int es) {
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

    /**
     * The block kernels: dst[db + i * dk + j] = src[sb + i + j * sl] for i, j below the lane count. Source
     * line j is loaded as vector j; a round maps vectors (v[i], v[i + n/2]) to (lo(v[i], v[i + n/2]),
     * hi(...)) at positions (2i, 2i + 1), which moves the element at (line j, lane i) to (line j', lane i')
     * with the bits of j and i rotated one step through each other; after log2(n) rounds it sits at (i, j).
     */
    /** One 16 x 16 block of 4-byte elements (see {@link #blocks}). */
    private static void block4(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, IntVector lo, IntVector hi) {
        IntVector a0 = IntVector.fromMemorySegment(I, s, sb * 4, NATIVE);
        IntVector a1 = IntVector.fromMemorySegment(I, s, (sb + sl) * 4, NATIVE);
        IntVector a2 = IntVector.fromMemorySegment(I, s, (sb + 2 * sl) * 4, NATIVE);
        IntVector a3 = IntVector.fromMemorySegment(I, s, (sb + 3 * sl) * 4, NATIVE);
        IntVector a4 = IntVector.fromMemorySegment(I, s, (sb + 4 * sl) * 4, NATIVE);
        IntVector a5 = IntVector.fromMemorySegment(I, s, (sb + 5 * sl) * 4, NATIVE);
        IntVector a6 = IntVector.fromMemorySegment(I, s, (sb + 6 * sl) * 4, NATIVE);
        IntVector a7 = IntVector.fromMemorySegment(I, s, (sb + 7 * sl) * 4, NATIVE);
        IntVector a8 = IntVector.fromMemorySegment(I, s, (sb + 8 * sl) * 4, NATIVE);
        IntVector a9 = IntVector.fromMemorySegment(I, s, (sb + 9 * sl) * 4, NATIVE);
        IntVector a10 = IntVector.fromMemorySegment(I, s, (sb + 10 * sl) * 4, NATIVE);
        IntVector a11 = IntVector.fromMemorySegment(I, s, (sb + 11 * sl) * 4, NATIVE);
        IntVector a12 = IntVector.fromMemorySegment(I, s, (sb + 12 * sl) * 4, NATIVE);
        IntVector a13 = IntVector.fromMemorySegment(I, s, (sb + 13 * sl) * 4, NATIVE);
        IntVector a14 = IntVector.fromMemorySegment(I, s, (sb + 14 * sl) * 4, NATIVE);
        IntVector a15 = IntVector.fromMemorySegment(I, s, (sb + 15 * sl) * 4, NATIVE);
        IntVector b0 = lo.selectFrom(a0, a8);
        IntVector b1 = hi.selectFrom(a0, a8);
        IntVector b2 = lo.selectFrom(a1, a9);
        IntVector b3 = hi.selectFrom(a1, a9);
        IntVector b4 = lo.selectFrom(a2, a10);
        IntVector b5 = hi.selectFrom(a2, a10);
        IntVector b6 = lo.selectFrom(a3, a11);
        IntVector b7 = hi.selectFrom(a3, a11);
        IntVector b8 = lo.selectFrom(a4, a12);
        IntVector b9 = hi.selectFrom(a4, a12);
        IntVector b10 = lo.selectFrom(a5, a13);
        IntVector b11 = hi.selectFrom(a5, a13);
        IntVector b12 = lo.selectFrom(a6, a14);
        IntVector b13 = hi.selectFrom(a6, a14);
        IntVector b14 = lo.selectFrom(a7, a15);
        IntVector b15 = hi.selectFrom(a7, a15);
        a0 = lo.selectFrom(b0, b8);
        a1 = hi.selectFrom(b0, b8);
        a2 = lo.selectFrom(b1, b9);
        a3 = hi.selectFrom(b1, b9);
        a4 = lo.selectFrom(b2, b10);
        a5 = hi.selectFrom(b2, b10);
        a6 = lo.selectFrom(b3, b11);
        a7 = hi.selectFrom(b3, b11);
        a8 = lo.selectFrom(b4, b12);
        a9 = hi.selectFrom(b4, b12);
        a10 = lo.selectFrom(b5, b13);
        a11 = hi.selectFrom(b5, b13);
        a12 = lo.selectFrom(b6, b14);
        a13 = hi.selectFrom(b6, b14);
        a14 = lo.selectFrom(b7, b15);
        a15 = hi.selectFrom(b7, b15);
        b0 = lo.selectFrom(a0, a8);
        b1 = hi.selectFrom(a0, a8);
        b2 = lo.selectFrom(a1, a9);
        b3 = hi.selectFrom(a1, a9);
        b4 = lo.selectFrom(a2, a10);
        b5 = hi.selectFrom(a2, a10);
        b6 = lo.selectFrom(a3, a11);
        b7 = hi.selectFrom(a3, a11);
        b8 = lo.selectFrom(a4, a12);
        b9 = hi.selectFrom(a4, a12);
        b10 = lo.selectFrom(a5, a13);
        b11 = hi.selectFrom(a5, a13);
        b12 = lo.selectFrom(a6, a14);
        b13 = hi.selectFrom(a6, a14);
        b14 = lo.selectFrom(a7, a15);
        b15 = hi.selectFrom(a7, a15);
        a0 = lo.selectFrom(b0, b8);
        a1 = hi.selectFrom(b0, b8);
        a2 = lo.selectFrom(b1, b9);
        a3 = hi.selectFrom(b1, b9);
        a4 = lo.selectFrom(b2, b10);
        a5 = hi.selectFrom(b2, b10);
        a6 = lo.selectFrom(b3, b11);
        a7 = hi.selectFrom(b3, b11);
        a8 = lo.selectFrom(b4, b12);
        a9 = hi.selectFrom(b4, b12);
        a10 = lo.selectFrom(b5, b13);
        a11 = hi.selectFrom(b5, b13);
        a12 = lo.selectFrom(b6, b14);
        a13 = hi.selectFrom(b6, b14);
        a14 = lo.selectFrom(b7, b15);
        a15 = hi.selectFrom(b7, b15);
        a0.intoMemorySegment(d, db * 4, NATIVE);
        a1.intoMemorySegment(d, (db + dk) * 4, NATIVE);
        a2.intoMemorySegment(d, (db + 2 * dk) * 4, NATIVE);
        a3.intoMemorySegment(d, (db + 3 * dk) * 4, NATIVE);
        a4.intoMemorySegment(d, (db + 4 * dk) * 4, NATIVE);
        a5.intoMemorySegment(d, (db + 5 * dk) * 4, NATIVE);
        a6.intoMemorySegment(d, (db + 6 * dk) * 4, NATIVE);
        a7.intoMemorySegment(d, (db + 7 * dk) * 4, NATIVE);
        a8.intoMemorySegment(d, (db + 8 * dk) * 4, NATIVE);
        a9.intoMemorySegment(d, (db + 9 * dk) * 4, NATIVE);
        a10.intoMemorySegment(d, (db + 10 * dk) * 4, NATIVE);
        a11.intoMemorySegment(d, (db + 11 * dk) * 4, NATIVE);
        a12.intoMemorySegment(d, (db + 12 * dk) * 4, NATIVE);
        a13.intoMemorySegment(d, (db + 13 * dk) * 4, NATIVE);
        a14.intoMemorySegment(d, (db + 14 * dk) * 4, NATIVE);
        a15.intoMemorySegment(d, (db + 15 * dk) * 4, NATIVE);
    }

    /** One 8 x 8 block of 8-byte elements (see {@link #blocks}). */
    private static void block8(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, LongVector lo, LongVector hi) {
        LongVector a0 = LongVector.fromMemorySegment(L, s, sb * 8, NATIVE);
        LongVector a1 = LongVector.fromMemorySegment(L, s, (sb + sl) * 8, NATIVE);
        LongVector a2 = LongVector.fromMemorySegment(L, s, (sb + 2 * sl) * 8, NATIVE);
        LongVector a3 = LongVector.fromMemorySegment(L, s, (sb + 3 * sl) * 8, NATIVE);
        LongVector a4 = LongVector.fromMemorySegment(L, s, (sb + 4 * sl) * 8, NATIVE);
        LongVector a5 = LongVector.fromMemorySegment(L, s, (sb + 5 * sl) * 8, NATIVE);
        LongVector a6 = LongVector.fromMemorySegment(L, s, (sb + 6 * sl) * 8, NATIVE);
        LongVector a7 = LongVector.fromMemorySegment(L, s, (sb + 7 * sl) * 8, NATIVE);
        LongVector b0 = lo.selectFrom(a0, a4);
        LongVector b1 = hi.selectFrom(a0, a4);
        LongVector b2 = lo.selectFrom(a1, a5);
        LongVector b3 = hi.selectFrom(a1, a5);
        LongVector b4 = lo.selectFrom(a2, a6);
        LongVector b5 = hi.selectFrom(a2, a6);
        LongVector b6 = lo.selectFrom(a3, a7);
        LongVector b7 = hi.selectFrom(a3, a7);
        a0 = lo.selectFrom(b0, b4);
        a1 = hi.selectFrom(b0, b4);
        a2 = lo.selectFrom(b1, b5);
        a3 = hi.selectFrom(b1, b5);
        a4 = lo.selectFrom(b2, b6);
        a5 = hi.selectFrom(b2, b6);
        a6 = lo.selectFrom(b3, b7);
        a7 = hi.selectFrom(b3, b7);
        b0 = lo.selectFrom(a0, a4);
        b1 = hi.selectFrom(a0, a4);
        b2 = lo.selectFrom(a1, a5);
        b3 = hi.selectFrom(a1, a5);
        b4 = lo.selectFrom(a2, a6);
        b5 = hi.selectFrom(a2, a6);
        b6 = lo.selectFrom(a3, a7);
        b7 = hi.selectFrom(a3, a7);
        b0.intoMemorySegment(d, db * 8, NATIVE);
        b1.intoMemorySegment(d, (db + dk) * 8, NATIVE);
        b2.intoMemorySegment(d, (db + 2 * dk) * 8, NATIVE);
        b3.intoMemorySegment(d, (db + 3 * dk) * 8, NATIVE);
        b4.intoMemorySegment(d, (db + 4 * dk) * 8, NATIVE);
        b5.intoMemorySegment(d, (db + 5 * dk) * 8, NATIVE);
        b6.intoMemorySegment(d, (db + 6 * dk) * 8, NATIVE);
        b7.intoMemorySegment(d, (db + 7 * dk) * 8, NATIVE);
    }

    /** One 16 x 16 block of 2-byte elements (see {@link #blocks}). */
    private static void block2(MemorySegment s, long sb, long sl, MemorySegment d, long db, long dk, ShortVector lo, ShortVector hi) {
        ShortVector a0 = ShortVector.fromMemorySegment(H, s, sb * 2, NATIVE);
        ShortVector a1 = ShortVector.fromMemorySegment(H, s, (sb + sl) * 2, NATIVE);
        ShortVector a2 = ShortVector.fromMemorySegment(H, s, (sb + 2 * sl) * 2, NATIVE);
        ShortVector a3 = ShortVector.fromMemorySegment(H, s, (sb + 3 * sl) * 2, NATIVE);
        ShortVector a4 = ShortVector.fromMemorySegment(H, s, (sb + 4 * sl) * 2, NATIVE);
        ShortVector a5 = ShortVector.fromMemorySegment(H, s, (sb + 5 * sl) * 2, NATIVE);
        ShortVector a6 = ShortVector.fromMemorySegment(H, s, (sb + 6 * sl) * 2, NATIVE);
        ShortVector a7 = ShortVector.fromMemorySegment(H, s, (sb + 7 * sl) * 2, NATIVE);
        ShortVector a8 = ShortVector.fromMemorySegment(H, s, (sb + 8 * sl) * 2, NATIVE);
        ShortVector a9 = ShortVector.fromMemorySegment(H, s, (sb + 9 * sl) * 2, NATIVE);
        ShortVector a10 = ShortVector.fromMemorySegment(H, s, (sb + 10 * sl) * 2, NATIVE);
        ShortVector a11 = ShortVector.fromMemorySegment(H, s, (sb + 11 * sl) * 2, NATIVE);
        ShortVector a12 = ShortVector.fromMemorySegment(H, s, (sb + 12 * sl) * 2, NATIVE);
        ShortVector a13 = ShortVector.fromMemorySegment(H, s, (sb + 13 * sl) * 2, NATIVE);
        ShortVector a14 = ShortVector.fromMemorySegment(H, s, (sb + 14 * sl) * 2, NATIVE);
        ShortVector a15 = ShortVector.fromMemorySegment(H, s, (sb + 15 * sl) * 2, NATIVE);
        ShortVector b0 = lo.selectFrom(a0, a8);
        ShortVector b1 = hi.selectFrom(a0, a8);
        ShortVector b2 = lo.selectFrom(a1, a9);
        ShortVector b3 = hi.selectFrom(a1, a9);
        ShortVector b4 = lo.selectFrom(a2, a10);
        ShortVector b5 = hi.selectFrom(a2, a10);
        ShortVector b6 = lo.selectFrom(a3, a11);
        ShortVector b7 = hi.selectFrom(a3, a11);
        ShortVector b8 = lo.selectFrom(a4, a12);
        ShortVector b9 = hi.selectFrom(a4, a12);
        ShortVector b10 = lo.selectFrom(a5, a13);
        ShortVector b11 = hi.selectFrom(a5, a13);
        ShortVector b12 = lo.selectFrom(a6, a14);
        ShortVector b13 = hi.selectFrom(a6, a14);
        ShortVector b14 = lo.selectFrom(a7, a15);
        ShortVector b15 = hi.selectFrom(a7, a15);
        a0 = lo.selectFrom(b0, b8);
        a1 = hi.selectFrom(b0, b8);
        a2 = lo.selectFrom(b1, b9);
        a3 = hi.selectFrom(b1, b9);
        a4 = lo.selectFrom(b2, b10);
        a5 = hi.selectFrom(b2, b10);
        a6 = lo.selectFrom(b3, b11);
        a7 = hi.selectFrom(b3, b11);
        a8 = lo.selectFrom(b4, b12);
        a9 = hi.selectFrom(b4, b12);
        a10 = lo.selectFrom(b5, b13);
        a11 = hi.selectFrom(b5, b13);
        a12 = lo.selectFrom(b6, b14);
        a13 = hi.selectFrom(b6, b14);
        a14 = lo.selectFrom(b7, b15);
        a15 = hi.selectFrom(b7, b15);
        b0 = lo.selectFrom(a0, a8);
        b1 = hi.selectFrom(a0, a8);
        b2 = lo.selectFrom(a1, a9);
        b3 = hi.selectFrom(a1, a9);
        b4 = lo.selectFrom(a2, a10);
        b5 = hi.selectFrom(a2, a10);
        b6 = lo.selectFrom(a3, a11);
        b7 = hi.selectFrom(a3, a11);
        b8 = lo.selectFrom(a4, a12);
        b9 = hi.selectFrom(a4, a12);
        b10 = lo.selectFrom(a5, a13);
        b11 = hi.selectFrom(a5, a13);
        b12 = lo.selectFrom(a6, a14);
        b13 = hi.selectFrom(a6, a14);
        b14 = lo.selectFrom(a7, a15);
        b15 = hi.selectFrom(a7, a15);
        a0 = lo.selectFrom(b0, b8);
        a1 = hi.selectFrom(b0, b8);
        a2 = lo.selectFrom(b1, b9);
        a3 = hi.selectFrom(b1, b9);
        a4 = lo.selectFrom(b2, b10);
        a5 = hi.selectFrom(b2, b10);
        a6 = lo.selectFrom(b3, b11);
        a7 = hi.selectFrom(b3, b11);
        a8 = lo.selectFrom(b4, b12);
        a9 = hi.selectFrom(b4, b12);
        a10 = lo.selectFrom(b5, b13);
        a11 = hi.selectFrom(b5, b13);
        a12 = lo.selectFrom(b6, b14);
        a13 = hi.selectFrom(b6, b14);
        a14 = lo.selectFrom(b7, b15);
        a15 = hi.selectFrom(b7, b15);
        a0.intoMemorySegment(d, db * 2, NATIVE);
        a1.intoMemorySegment(d, (db + dk) * 2, NATIVE);
        a2.intoMemorySegment(d, (db + 2 * dk) * 2, NATIVE);
        a3.intoMemorySegment(d, (db + 3 * dk) * 2, NATIVE);
        a4.intoMemorySegment(d, (db + 4 * dk) * 2, NATIVE);
        a5.intoMemorySegment(d, (db + 5 * dk) * 2, NATIVE);
        a6.intoMemorySegment(d, (db + 6 * dk) * 2, NATIVE);
        a7.intoMemorySegment(d, (db + 7 * dk) * 2, NATIVE);
        a8.intoMemorySegment(d, (db + 8 * dk) * 2, NATIVE);
        a9.intoMemorySegment(d, (db + 9 * dk) * 2, NATIVE);
        a10.intoMemorySegment(d, (db + 10 * dk) * 2, NATIVE);
        a11.intoMemorySegment(d, (db + 11 * dk) * 2, NATIVE);
        a12.intoMemorySegment(d, (db + 12 * dk) * 2, NATIVE);
        a13.intoMemorySegment(d, (db + 13 * dk) * 2, NATIVE);
        a14.intoMemorySegment(d, (db + 14 * dk) * 2, NATIVE);
        a15.intoMemorySegment(d, (db + 15 * dk) * 2, NATIVE);
    }


    /** The interleave indices of n lanes: lo = (0, n, 1, n + 1, ...), hi = (n/2, n + n/2, n/2 + 1, ...). */
    private static int[] zip(int n, boolean high) {
        int[] ix = new int[n];
        int from = high ? n / 2 : 0;
        for (int l = 0; l < n; l++) ix[l] = (l % 2 == 0 ? 0 : n) + from + l / 2;
        return ix;
    }

    private static long[] longs(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    private static short[] shorts(int[] v) {
        short[] r = new short[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (short) v[i];
        return r;
    }
}
