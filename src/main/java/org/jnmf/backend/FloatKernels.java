package org.jnmf.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 kernels of the Java backend, written with the Vector API.
 *
 * <p>Determinism: every output element is computed by one task in a fixed order of operations that does
 * not depend on how the work is split (lane sums are reduced by a fixed pairwise tree, never with
 * {@code reduceLanes}, whose order is unspecified), so results are bit-identical for any thread count.
 * The float64 twin, {@code DoubleKernels}, is generated from this file at build time by replacing float
 * with double (pom.xml, execution {@code double-kernels}): edit only this file.
 *
 * <p>These methods are excluded from C1 by {@code src/main/jvm/kernels-c2-only.json}: C1 gives up on
 * large Vector API methods and can leave them about 100× slow.
 */
final class FloatKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of A per register tile of {@link #multiplyByTransposed}. */
    private static final int DOT_ROWS = 4;
    /**
     * Rows of A per block of {@link #multiplyByTransposed}: each chunk of B's rows (below) serves the whole block
     * from L2 before the next chunk is read, so B crosses from L3 once per block rather than once per tile.
     */
    private static final int DOT_BLOCK_ROWS = 64;
    /** Bytes of B's rows one chunk of {@link #multiplyByTransposed} may take: a share of any x86-64 core's L2. */
    private static final int DOT_CHUNK_BYTES = 256 * 1024;
    /**
     * The chunk's bounds, in columns: at least 32 vectors, whatever k, so that a tile call's loop outweighs its
     * accumulators' reload and spill; at most 256 vectors (16 KiB of a row). Measured on AMD EPYC with AVX-512:
     * benchmarks/results/dot-kernel-2026-12-07.md.
     */
    private static final int DOT_CHUNK_MIN = 32 * L;
    private static final int DOT_CHUNK_MAX = 256 * L;
    /**
     * From this rank on Wᵀ·V takes 6-row panels ({@link #sixRowTiles}). At k = 20 they gained ~5 %, less than C2's
     * time to compile them costs a short fit: 0.15–0.18 s of a 200-iteration start at 2000×1500, where NNDSVDa's
     * randomized SVD (k + 10 = 30 columns) had reached them with a bound of 24. Products this wide come with
     * matrices large enough to repay the compile (k = 50: Wᵀ·V 27 % faster).
     */
    private static final int SIX_ROW_MIN_K = 40;

    /** Per level of {@link #lanesums} (pair distance L/2, L/4, ..., 1): the lanes whose bit h is set. */
    private static final VectorMask<Float>[] UPPER;
    /** Per level of {@link #lanesums}: lane q ↔ lane q ^ h. */
    private static final VectorShuffle<Float>[] SWAP;

    static {
        int levels = Integer.numberOfTrailingZeros(L);
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] upper = new VectorMask[levels];
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[] swap = new VectorShuffle[levels];
        for (int level = 0, h = L / 2; h > 0; level++, h /= 2) {
            int bit = h;
            upper[level] = VectorMask.fromLong(S, bitsWhere(q -> (q & bit) != 0));
            swap[level] = VectorShuffle.fromOp(S, q -> q ^ bit);
        }
        UPPER = upper;
        SWAP = swap;
    }

    private static long bitsWhere(java.util.function.IntPredicate lane) {
        long bits = 0;
        for (int q = 0; q < L; q++) {
            if (lane.test(q)) {
                bits |= 1L << q;
            }
        }
        return bits;
    }
    /** Rows of V per pass in {@link #multiplyTransposedBy}: keeps the V panel in L1. */
    private static final int ROW_BLOCK = 64;
    /** Width of the column strips of {@link #multiplyTransposedBy}: four vectors. */
    static final int STRIP = 4 * L;
    static final int LANES = L;
    /** Register tile of {@link #multiplyPacked}: MR rows by NR (two vectors) columns. */
    private static final int MR = 12;
    private static final int NR = 2 * L;
    /** Inner-dimension block of {@link #multiplyPacked}: a packed B panel (KC×NR) stays in L1. */
    private static final int KC = 256;
    /** Rows per packed A block of {@link #multiplyPacked} (a multiple of MR): the block stays in L2. */
    private static final int MC = 144;

    private FloatKernels() {
    }

    // The kernels' entry points: the Vector API code once C2 has compiled it, its scalar twin before (see Warmup).

    /** C = A·Bᵀ: see {@link #vectorMultiplyByTransposed}. */
    static void multiplyByTransposed(float[] a, int m, float[] b, int k, float[] out, int outRow0, int rowFrom,
                                     int rowTo) {
        // Each tile width is a kernel of its own for the warm-up: C2 compiles only the width the fit calls (k = 20
        // and NNDSVD's k + 10 both take 5-wide tiles; the 4-wide ones cost 0.36 s of C2 time when warmed too).
        if (Warmup.vector(dotTileCols(k) == 5 ? Warmup.DOT : Warmup.NARROW_DOT)) {
            vectorMultiplyByTransposed(a, m, b, k, out, outRow0, rowFrom, rowTo);
        } else {
            Scalar.multiplyByTransposed(a, m, b, k, out, outRow0, rowFrom, rowTo);
        }
    }

    /** C = Wᵀ·V: see {@link #vectorMultiplyTransposedBy}. */
    static void multiplyTransposedBy(float[] w, int k, float[][] vBlocks, int blockRows, int n, int m, float[] out,
                                     int colFrom, int colTo) {
        // 6-row panels (k ≥ SIX_ROW_MIN_K) are a kernel of their own for the warm-up: C2 compiles them only for
        // the fits that take them.
        boolean panels = Warmup.vector(Warmup.PANELS);
        if (panels && (k < SIX_ROW_MIN_K || Warmup.vector(Warmup.WIDE_PANELS))) {
            vectorMultiplyTransposedBy(w, k, vBlocks, blockRows, n, m, out, colFrom, colTo);
        } else {
            Scalar.multiplyTransposedBy(w, k, vBlocks, blockRows, n, m, out, colFrom, colTo);
        }
    }

    /** C = A·B: see {@link #vectorMultiply}. */
    static void multiply(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
        if (Warmup.vector(Warmup.MULTIPLY)) {
            vectorMultiply(a, s, b, t, out, rowFrom, rowTo);
        } else {
            Scalar.multiply(a, s, b, t, out, rowFrom, rowTo);
        }
    }

    /** C = A·B for large operands: see {@link #vectorMultiplyPacked}; the same bits as {@link #multiply}. */
    static void multiplyPacked(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
        if (Warmup.vector(Warmup.PACKED)) {
            vectorMultiplyPacked(a, s, b, t, out, rowFrom, rowTo);
        } else if (s > 0) {
            Scalar.multiply(a, s, b, t, out, rowFrom, rowTo);
        }
    }

    /** See {@link #vectorMultiplicativeUpdate}. */
    static void multiplicativeUpdate(float[] x, float[] num, float[] den, float guard, float floor, int from, int to) {
        if (Warmup.vector(Warmup.UPDATE)) {
            vectorMultiplicativeUpdate(x, num, den, guard, floor, from, to);
        } else {
            Scalar.multiplicativeUpdate(x, num, den, guard, floor, from, to);
        }
    }

    /** out = (y + a·x) + c: see {@link #vectorCombine}. */
    static void combine(float[] y, float a, float[] x, float c, float[] out, int from, int to) {
        if (Warmup.vector(Warmup.COMBINE)) {
            vectorCombine(y, a, x, c, out, from, to);
        } else {
            Scalar.combine(y, a, x, c, out, from, to);
        }
    }

    /** One row of W·H in this precision: see {@link #vectorProductRowInPrecision}. */
    static void productRowInPrecision(float[] w, int i, int k, float[] h, int m, float[] row) {
        if (Warmup.vector(Warmup.ROW)) {
            vectorProductRowInPrecision(w, i, k, h, m, row);
        } else {
            Scalar.productRowInPrecision(w, i, k, h, m, row);
        }
    }

    /** A HALS sweep of columns of H: see {@link #vectorHalsRows}. */
    static void halsRows(float[] h, float[] c, float[] d, int k, int m, int colFrom, int colTo) {
        if (Warmup.vector(Warmup.HALS)) {
            vectorHalsRows(h, c, d, k, m, colFrom, colTo);
        } else {
            Scalar.halsRows(h, c, d, k, m, colFrom, colTo);
        }
    }

    /** Sparse V·Hᵀ: see {@link #vectorSparseMultiplyByTransposed}. */
    static void sparseMultiplyByTransposed(int[] rowStart, int[] columns, float[] values, float[] ht, int k,
                                           float[] out, int rowFrom, int rowTo) {
        if (Warmup.vector(Warmup.SPARSE_ROWS)) {
            vectorSparseMultiplyByTransposed(rowStart, columns, values, ht, k, out, rowFrom, rowTo);
        } else {
            Scalar.sparseMultiplyByTransposed(rowStart, columns, values, ht, k, out, rowFrom, rowTo);
        }
    }

    /** Sparse Wᵀ·V from the CSR of Vᵀ: see {@link #vectorSparseMultiplyTransposedBy}. */
    static void sparseMultiplyTransposedBy(int[] tRowStart, int[] tColumns, float[] tValues, float[] w, int k,
                                           int m, float[] out, int colFrom, int colTo) {
        if (Warmup.vector(Warmup.SPARSE_COLUMNS)) {
            vectorSparseMultiplyTransposedBy(tRowStart, tColumns, tValues, w, k, m, out, colFrom, colTo);
        } else {
            Scalar.sparseMultiplyTransposedBy(tRowStart, tColumns, tValues, w, k, m, out, colFrom, colTo);
        }
    }

    /** The B rows of {@link #vectorMultiplyByTransposed}'s tiles for k: 5, or 4 where that leaves fewer padded. */
    static int dotTileCols(int k) {
        return (k % 5 == 0 || k % 4 != 0) && roundUp(k, 5) - k <= roundUp(k, 4) - k ? 5 : 4;
    }

    /**
     * out[(outRow0+i)·k + p] = Σ_j a[i·m + j]·b[p·m + j] for rows i ∈ [rowFrom, rowTo) of the row-major
     * block {@code a} (·×m) and all k rows of {@code b} (k×m): C = A·Bᵀ.
     *
     * <p>Each output is a lane-wise sum along the row, the last (m mod L) columns added by one masked load
     * that ends at the row's end, then reduced by {@link #lanesums}: the same operations whichever tile
     * computes it. Tiles are 4 rows of A by 5 (or 4) rows of B; rows past the end of either are computed
     * on a copy of the last row and dropped. Lane sums stay in {@code acc} between column chunks.
     */
    static void vectorMultiplyByTransposed(float[] a, int m, float[] b, int k, float[] out, int outRow0,
                                     int rowFrom, int rowTo) {
        if (rowFrom >= rowTo || k == 0) {
            return;
        }
        int tileCols = dotTileCols(k);
        int rowStride = roundUp(roundUp(k, tileCols), L) * L;
        int groupStride = DOT_ROWS * rowStride;
        float[] acc = new float[roundUp(Math.min(DOT_BLOCK_ROWS, rowTo - rowFrom), DOT_ROWS) / DOT_ROWS * groupStride];
        int vectorEnd = m / L * L;
        boolean tail = vectorEnd < m;
        int lastRow = rowTo - 1;
        int chunk = dotChunk(k);
        // Per block of rows: the chunks of columns in order, each for every row group of the block; a tile's
        // accumulators carry over from chunk to chunk, so the sums run in column order whatever the blocking.
        for (int i0 = rowFrom; i0 < rowTo; i0 += DOT_BLOCK_ROWS) {
            int i1 = Math.min(rowTo, i0 + DOT_BLOCK_ROWS);
            for (int j0 = 0; j0 < vectorEnd || j0 == 0; j0 += chunk) {
                int j1 = Math.min(vectorEnd, j0 + chunk);
                boolean first = j0 == 0;
                boolean withTail = tail && j1 == vectorEnd;
                for (int i = i0, c = 0; i < i1; i += DOT_ROWS, c += groupStride) {
                    int a0 = i * m;
                    int a1 = Math.min(i + 1, lastRow) * m;
                    int a2 = Math.min(i + 2, lastRow) * m;
                    int a3 = Math.min(i + 3, lastRow) * m;
                    for (int p = 0; p < k; p += tileCols) {
                        int b0 = p * m;
                        int b1 = Math.min(p + 1, k - 1) * m;
                        int b2 = Math.min(p + 2, k - 1) * m;
                        int b3 = Math.min(p + 3, k - 1) * m;
                        if (tileCols == 5) {
                            int b4 = Math.min(p + 4, k - 1) * m;
                            dot4x5(a, a0, a1, a2, a3, b, b0, b1, b2, b3, b4, m, acc, c + p * L, rowStride, j0, j1,
                                    first, withTail);
                        } else {
                            dot4x4(a, a0, a1, a2, a3, b, b0, b1, b2, b3, m, acc, c + p * L, rowStride, j0, j1,
                                    first, withTail);
                        }
                    }
                }
                if (vectorEnd == 0) {
                    break;
                }
            }
            for (int i = i0, c = 0; i < i1; i += DOT_ROWS, c += groupStride) {
                for (int r = 0; r < DOT_ROWS && i + r < rowTo; r++) {
                    int o = (outRow0 + i + r) * k;
                    for (int p0 = 0; p0 < k; p0 += L) {
                        int at = c + r * rowStride + p0 * L;
                        lanesums(acc, at);
                        // One bound, not "q < L && p0 + q < k": the warm-up's k = 5 never ends the loop at L,
                        // so C2 compiled that exit as a trap and recompiled the method 7 times in a fit with k = 20.
                        int count = Math.min(L, k - p0);
                        for (int q = 0; q < count; q++) {
                            out[o + p0 + q] = acc[at + q];
                        }
                    }
                }
            }
        }
    }

    /** Columns per chunk of {@link #multiplyByTransposed} for k rows of B: {@link #DOT_CHUNK_BYTES} of them. */
    private static int dotChunk(int k) {
        int columns = DOT_CHUNK_BYTES / (k * (S.elementSize() / 8)) / L * L;
        return Math.max(DOT_CHUNK_MIN, Math.min(DOT_CHUNK_MAX, columns));
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * Reduces the L vectors at acc[at], acc[at + L], ... to their lane sums, left in the vector at acc[at]
     * (lane q: the sum of vector q). Every vector is summed by the same pairwise tree (lanes q and q ^ L/2
     * first, then ^ L/4, ...), and floating-point addition is commutative, so a sum does not depend on
     * which vectors share the call.
     */
    private static void lanesums(float[] acc, int at) {
        for (int level = 0, h = L / 2; h > 0; level++, h /= 2) {
            VectorMask<Float> upper = UPPER[level];
            VectorShuffle<Float> swap = SWAP[level];
            for (int q = 0; q < h; q++) {
                FloatVector x = FloatVector.fromArray(S, acc, at + q * L);
                FloatVector y = FloatVector.fromArray(S, acc, at + (q + h) * L);
                x.blend(y, upper).add(y.blend(x, upper).rearrange(swap)).intoArray(acc, at + q * L);
            }
        }
    }

    /** The last t (&lt; L) lanes: the t columns before the end of a load that ends where a row ends. */
    private static VectorMask<Float> tailMask(int t) {
        return VectorMask.fromLong(S, ((1L << t) - 1) << (L - t));
    }

    /** A 4×5 tile of {@link #multiplyByTransposed}: rows a0.. of V against rows b0.. of H over [j0, j1). */
    private static void dot4x5(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3, int b4, int m,
                                float[] acc, int c, int rowStride, int j0, int j1, boolean first, boolean tail) {
        int c0 = c;
        int c1 = c + rowStride;
        int c2 = c + 2 * rowStride;
        int c3 = c + 3 * rowStride;
        FloatVector s00 = load(acc, c0, first), s01 = load(acc, c0 + L, first), s02 = load(acc, c0 + 2 * L, first), s03 = load(acc, c0 + 3 * L, first), s04 = load(acc, c0 + 4 * L, first);
        FloatVector s10 = load(acc, c1, first), s11 = load(acc, c1 + L, first), s12 = load(acc, c1 + 2 * L, first), s13 = load(acc, c1 + 3 * L, first), s14 = load(acc, c1 + 4 * L, first);
        FloatVector s20 = load(acc, c2, first), s21 = load(acc, c2 + L, first), s22 = load(acc, c2 + 2 * L, first), s23 = load(acc, c2 + 3 * L, first), s24 = load(acc, c2 + 4 * L, first);
        FloatVector s30 = load(acc, c3, first), s31 = load(acc, c3 + L, first), s32 = load(acc, c3 + 2 * L, first), s33 = load(acc, c3 + 3 * L, first), s34 = load(acc, c3 + 4 * L, first);
        for (int j = j0; j < j1; j += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + j);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + j);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + j);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + j);
            FloatVector y4 = FloatVector.fromArray(S, b, b4 + j);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + j);
            s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01); s02 = x0.fma(y2, s02); s03 = x0.fma(y3, s03); s04 = x0.fma(y4, s04);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + j);
            s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11); s12 = x1.fma(y2, s12); s13 = x1.fma(y3, s13); s14 = x1.fma(y4, s14);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + j);
            s20 = x2.fma(y0, s20); s21 = x2.fma(y1, s21); s22 = x2.fma(y2, s22); s23 = x2.fma(y3, s23); s24 = x2.fma(y4, s24);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + j);
            s30 = x3.fma(y0, s30); s31 = x3.fma(y1, s31); s32 = x3.fma(y2, s32); s33 = x3.fma(y3, s33); s34 = x3.fma(y4, s34);
        }
        if (tail) {
            VectorMask<Float> last = tailMask(m % L);
            int j = m - L;
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + j, last);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + j, last);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + j, last);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + j, last);
            FloatVector y4 = FloatVector.fromArray(S, b, b4 + j, last);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + j, last);
            s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01); s02 = x0.fma(y2, s02); s03 = x0.fma(y3, s03); s04 = x0.fma(y4, s04);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + j, last);
            s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11); s12 = x1.fma(y2, s12); s13 = x1.fma(y3, s13); s14 = x1.fma(y4, s14);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + j, last);
            s20 = x2.fma(y0, s20); s21 = x2.fma(y1, s21); s22 = x2.fma(y2, s22); s23 = x2.fma(y3, s23); s24 = x2.fma(y4, s24);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + j, last);
            s30 = x3.fma(y0, s30); s31 = x3.fma(y1, s31); s32 = x3.fma(y2, s32); s33 = x3.fma(y3, s33); s34 = x3.fma(y4, s34);
        }
        s00.intoArray(acc, c0); s01.intoArray(acc, c0 + L); s02.intoArray(acc, c0 + 2 * L); s03.intoArray(acc, c0 + 3 * L); s04.intoArray(acc, c0 + 4 * L);
        s10.intoArray(acc, c1); s11.intoArray(acc, c1 + L); s12.intoArray(acc, c1 + 2 * L); s13.intoArray(acc, c1 + 3 * L); s14.intoArray(acc, c1 + 4 * L);
        s20.intoArray(acc, c2); s21.intoArray(acc, c2 + L); s22.intoArray(acc, c2 + 2 * L); s23.intoArray(acc, c2 + 3 * L); s24.intoArray(acc, c2 + 4 * L);
        s30.intoArray(acc, c3); s31.intoArray(acc, c3 + L); s32.intoArray(acc, c3 + 2 * L); s33.intoArray(acc, c3 + 3 * L); s34.intoArray(acc, c3 + 4 * L);
    }

    /** A 4×4 tile of {@link #multiplyByTransposed}: rows a0.. of V against rows b0.. of H over [j0, j1). */
    private static void dot4x4(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3, int m,
                                float[] acc, int c, int rowStride, int j0, int j1, boolean first, boolean tail) {
        int c0 = c;
        int c1 = c + rowStride;
        int c2 = c + 2 * rowStride;
        int c3 = c + 3 * rowStride;
        FloatVector s00 = load(acc, c0, first), s01 = load(acc, c0 + L, first), s02 = load(acc, c0 + 2 * L, first), s03 = load(acc, c0 + 3 * L, first);
        FloatVector s10 = load(acc, c1, first), s11 = load(acc, c1 + L, first), s12 = load(acc, c1 + 2 * L, first), s13 = load(acc, c1 + 3 * L, first);
        FloatVector s20 = load(acc, c2, first), s21 = load(acc, c2 + L, first), s22 = load(acc, c2 + 2 * L, first), s23 = load(acc, c2 + 3 * L, first);
        FloatVector s30 = load(acc, c3, first), s31 = load(acc, c3 + L, first), s32 = load(acc, c3 + 2 * L, first), s33 = load(acc, c3 + 3 * L, first);
        for (int j = j0; j < j1; j += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + j);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + j);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + j);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + j);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + j);
            s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01); s02 = x0.fma(y2, s02); s03 = x0.fma(y3, s03);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + j);
            s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11); s12 = x1.fma(y2, s12); s13 = x1.fma(y3, s13);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + j);
            s20 = x2.fma(y0, s20); s21 = x2.fma(y1, s21); s22 = x2.fma(y2, s22); s23 = x2.fma(y3, s23);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + j);
            s30 = x3.fma(y0, s30); s31 = x3.fma(y1, s31); s32 = x3.fma(y2, s32); s33 = x3.fma(y3, s33);
        }
        if (tail) {
            VectorMask<Float> last = tailMask(m % L);
            int j = m - L;
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + j, last);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + j, last);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + j, last);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + j, last);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + j, last);
            s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01); s02 = x0.fma(y2, s02); s03 = x0.fma(y3, s03);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + j, last);
            s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11); s12 = x1.fma(y2, s12); s13 = x1.fma(y3, s13);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + j, last);
            s20 = x2.fma(y0, s20); s21 = x2.fma(y1, s21); s22 = x2.fma(y2, s22); s23 = x2.fma(y3, s23);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + j, last);
            s30 = x3.fma(y0, s30); s31 = x3.fma(y1, s31); s32 = x3.fma(y2, s32); s33 = x3.fma(y3, s33);
        }
        s00.intoArray(acc, c0); s01.intoArray(acc, c0 + L); s02.intoArray(acc, c0 + 2 * L); s03.intoArray(acc, c0 + 3 * L);
        s10.intoArray(acc, c1); s11.intoArray(acc, c1 + L); s12.intoArray(acc, c1 + 2 * L); s13.intoArray(acc, c1 + 3 * L);
        s20.intoArray(acc, c2); s21.intoArray(acc, c2 + L); s22.intoArray(acc, c2 + 2 * L); s23.intoArray(acc, c2 + 3 * L);
        s30.intoArray(acc, c3); s31.intoArray(acc, c3 + L); s32.intoArray(acc, c3 + 2 * L); s33.intoArray(acc, c3 + 3 * L);
    }

    /**
     * out[p·m + j] = Σ_i w[i·k + p]·v(i, j) over all n rows, for columns j ∈ [colFrom, colTo): C = Wᵀ·V.
     * V is given as row blocks of {@code blockRows} rows each.
     */
    static void vectorMultiplyTransposedBy(float[] w, int k, float[][] vBlocks, int blockRows, int n, int m,
                                     float[] out, int colFrom, int colTo) {
        int vectorEnd = colFrom + (colTo - colFrom) / L * L;
        // Row panels outside, column strips inside: each panel's rows are then read front to back, which
        // the hardware prefetcher follows; strips first would jump a whole row of V at every step.
        for (int b = 0; b * blockRows < n; b++) {
            float[] v = vBlocks[b];
            int base = b * blockRows;
            int rows = Math.min(blockRows, n - base);
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int r1 = Math.min(rows, r0 + ROW_BLOCK);
                boolean first = base + r0 == 0;
                int j = colFrom;
                for (; j + STRIP <= vectorEnd; j += STRIP) {
                    panels(w, k, v, base, m, out, j, 4, r0, r1, first);
                }
                for (; j < vectorEnd; j += L) {
                    panels(w, k, v, base, m, out, j, 1, r0, r1, first);
                }
                if (vectorEnd < colTo) {
                    VectorMask<Float> last = tailMask(colTo - vectorEnd);
                    int p = 0;
                    for (; p + 4 <= k; p += 4) {
                        tail4(w, k, v, base, m, out, colTo - L, p, r0, r1, first, last);
                    }
                    for (; p < k; p++) {
                        tail1(w, k, v, base, m, out, colTo - L, p, r0, r1, first, last);
                    }
                }
            }
        }
        if (n == 0) {
            for (int p = 0; p < k; p++) {
                for (int j = colFrom; j < colTo; j++) {
                    out[p * m + j] = 0f;
                }
            }
        }
    }

    /**
     * The last (fewer than L) columns [j + L − t, j + L) as the lanes of {@code last}: loads that end at the
     * strip's end stay inside the array (the masked-off lanes belong to columns the strips computed), and
     * masked stores leave those columns alone. Per column, the same fused multiply-adds as {@link #panel4x1}.
     */
    private static void tail4(float[] w, int k, float[] v, int base, int m, float[] out, int j, int p, int r0, int r1,
                              boolean first, VectorMask<Float> last) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        FloatVector c0 = load(out, o0, first, last), c1 = load(out, o1, first, last);
        FloatVector c2 = load(out, o2, first, last), c3 = load(out, o3, first, last);
        for (int r = r0; r < r1; r++) {
            FloatVector x = FloatVector.fromArray(S, v, r * m + j, last);
            int wo = (base + r) * k + p;
            c0 = FloatVector.broadcast(S, w[wo]).fma(x, c0);
            c1 = FloatVector.broadcast(S, w[wo + 1]).fma(x, c1);
            c2 = FloatVector.broadcast(S, w[wo + 2]).fma(x, c2);
            c3 = FloatVector.broadcast(S, w[wo + 3]).fma(x, c3);
        }
        c0.intoArray(out, o0, last); c1.intoArray(out, o1, last); c2.intoArray(out, o2, last); c3.intoArray(out, o3, last);
    }

    private static void tail1(float[] w, int k, float[] v, int base, int m, float[] out, int j, int p, int r0, int r1,
                              boolean first, VectorMask<Float> last) {
        int o = p * m + j;
        FloatVector c = load(out, o, first, last);
        for (int r = r0; r < r1; r++) {
            FloatVector x = FloatVector.fromArray(S, v, r * m + j, last);
            c = FloatVector.broadcast(S, w[(base + r) * k + p]).fma(x, c);
        }
        c.intoArray(out, o, last);
    }

    private static FloatVector load(float[] out, int o, boolean first, VectorMask<Float> lanes) {
        return first ? FloatVector.zero(S) : FloatVector.fromArray(S, out, o, lanes);
    }

    /** Rows [r0, r1) of one V block into columns [j, j + vectors·L) of Wᵀ·V, for every k; vectors is 4 or 1. */
    private static void panels(float[] w, int k, float[] v, int base, int m, float[] out, int j, int vectors,
                               int r0, int r1, boolean first) {
        int p = 0;
        if (vectors == 4 && k >= SIX_ROW_MIN_K) {
            for (int end = 6 * sixRowTiles(k); p < end; p += 6) {
                panel6x4(w, k, v, base, m, out, j, p, r0, r1, first);
            }
        }
        for (; p + 4 <= k; p += 4) {
            if (vectors == 4) {
                panel4x4(w, k, v, base, m, out, j, p, r0, r1, first);
            } else {
                panel4x1(w, k, v, base, m, out, j, p, r0, r1, first);
            }
        }
        for (; p < k; p++) {
            for (int s = 0; s < vectors; s++) {
                panel1x1(w, k, v, base, m, out, j + s * L, p, r0, r1, first);
            }
        }
    }

    /**
     * How many 6-row tiles {@link #panels} takes before its 4-row ones: the most that leave a multiple of 4 rows
     * (k = 44: six 6s, 4, 4; k = 50: seven 6s, 4, 4), else as many as fit. A 6×4 tile loads 10 vectors for 24
     * fused multiply-adds where a 4×4 loads 8 for 16 (AMD EPYC, k = 50: Wᵀ·V 27 % faster); each output's
     * sum runs over the rows in the same order whichever tile computes it. Taken from {@link #SIX_ROW_MIN_K} on.
     */
    static int sixRowTiles(int k) {
        for (int sixes = k / 6; sixes > 0; sixes--) {
            if ((k - 6 * sixes) % 4 == 0) {
                return sixes;
            }
        }
        return k / 6;
    }

    private static FloatVector load(float[] out, int o, boolean first) {
        return first ? FloatVector.zero(S) : FloatVector.fromArray(S, out, o);
    }

    /** Rows [r0, r1) of the V block {@code v}, whose row 0 is row {@code base} of V (and of W). */
    private static void panel4x4(float[] w, int k, float[] v, int base, int m, float[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        FloatVector c00 = load(out, o0, first), c01 = load(out, o0 + L, first);
        FloatVector c02 = load(out, o0 + 2 * L, first), c03 = load(out, o0 + 3 * L, first);
        FloatVector c10 = load(out, o1, first), c11 = load(out, o1 + L, first);
        FloatVector c12 = load(out, o1 + 2 * L, first), c13 = load(out, o1 + 3 * L, first);
        FloatVector c20 = load(out, o2, first), c21 = load(out, o2 + L, first);
        FloatVector c22 = load(out, o2 + 2 * L, first), c23 = load(out, o2 + 3 * L, first);
        FloatVector c30 = load(out, o3, first), c31 = load(out, o3 + L, first);
        FloatVector c32 = load(out, o3 + 2 * L, first), c33 = load(out, o3 + 3 * L, first);
        for (int r = r0; r < r1; r++) {
            int vo = r * m + j;
            FloatVector x0 = FloatVector.fromArray(S, v, vo);
            FloatVector x1 = FloatVector.fromArray(S, v, vo + L);
            FloatVector x2 = FloatVector.fromArray(S, v, vo + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, v, vo + 3 * L);
            int wo = (base + r) * k + p;
            FloatVector y = FloatVector.broadcast(S, w[wo]);
            c00 = y.fma(x0, c00); c01 = y.fma(x1, c01); c02 = y.fma(x2, c02); c03 = y.fma(x3, c03);
            y = FloatVector.broadcast(S, w[wo + 1]);
            c10 = y.fma(x0, c10); c11 = y.fma(x1, c11); c12 = y.fma(x2, c12); c13 = y.fma(x3, c13);
            y = FloatVector.broadcast(S, w[wo + 2]);
            c20 = y.fma(x0, c20); c21 = y.fma(x1, c21); c22 = y.fma(x2, c22); c23 = y.fma(x3, c23);
            y = FloatVector.broadcast(S, w[wo + 3]);
            c30 = y.fma(x0, c30); c31 = y.fma(x1, c31); c32 = y.fma(x2, c32); c33 = y.fma(x3, c33);
        }
        c00.intoArray(out, o0); c01.intoArray(out, o0 + L); c02.intoArray(out, o0 + 2 * L); c03.intoArray(out, o0 + 3 * L);
        c10.intoArray(out, o1); c11.intoArray(out, o1 + L); c12.intoArray(out, o1 + 2 * L); c13.intoArray(out, o1 + 3 * L);
        c20.intoArray(out, o2); c21.intoArray(out, o2 + L); c22.intoArray(out, o2 + 2 * L); c23.intoArray(out, o2 + 3 * L);
        c30.intoArray(out, o3); c31.intoArray(out, o3 + L); c32.intoArray(out, o3 + 2 * L); c33.intoArray(out, o3 + 3 * L);
    }

    /** Rows p..p+5 of Wᵀ·V over columns [j, j + 4L), from rows [r0, r1) of the V block. */
    private static void panel6x4(float[] w, int k, float[] v, int base, int m, float[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m, o4 = o3 + m, o5 = o4 + m;
        FloatVector c00 = load(out, o0, first), c01 = load(out, o0 + L, first);
        FloatVector c02 = load(out, o0 + 2 * L, first), c03 = load(out, o0 + 3 * L, first);
        FloatVector c10 = load(out, o1, first), c11 = load(out, o1 + L, first);
        FloatVector c12 = load(out, o1 + 2 * L, first), c13 = load(out, o1 + 3 * L, first);
        FloatVector c20 = load(out, o2, first), c21 = load(out, o2 + L, first);
        FloatVector c22 = load(out, o2 + 2 * L, first), c23 = load(out, o2 + 3 * L, first);
        FloatVector c30 = load(out, o3, first), c31 = load(out, o3 + L, first);
        FloatVector c32 = load(out, o3 + 2 * L, first), c33 = load(out, o3 + 3 * L, first);
        FloatVector c40 = load(out, o4, first), c41 = load(out, o4 + L, first);
        FloatVector c42 = load(out, o4 + 2 * L, first), c43 = load(out, o4 + 3 * L, first);
        FloatVector c50 = load(out, o5, first), c51 = load(out, o5 + L, first);
        FloatVector c52 = load(out, o5 + 2 * L, first), c53 = load(out, o5 + 3 * L, first);
        for (int r = r0; r < r1; r++) {
            int vo = r * m + j;
            FloatVector x0 = FloatVector.fromArray(S, v, vo);
            FloatVector x1 = FloatVector.fromArray(S, v, vo + L);
            FloatVector x2 = FloatVector.fromArray(S, v, vo + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, v, vo + 3 * L);
            int wo = (base + r) * k + p;
            FloatVector y = FloatVector.broadcast(S, w[wo]);
            c00 = y.fma(x0, c00); c01 = y.fma(x1, c01); c02 = y.fma(x2, c02); c03 = y.fma(x3, c03);
            y = FloatVector.broadcast(S, w[wo + 1]);
            c10 = y.fma(x0, c10); c11 = y.fma(x1, c11); c12 = y.fma(x2, c12); c13 = y.fma(x3, c13);
            y = FloatVector.broadcast(S, w[wo + 2]);
            c20 = y.fma(x0, c20); c21 = y.fma(x1, c21); c22 = y.fma(x2, c22); c23 = y.fma(x3, c23);
            y = FloatVector.broadcast(S, w[wo + 3]);
            c30 = y.fma(x0, c30); c31 = y.fma(x1, c31); c32 = y.fma(x2, c32); c33 = y.fma(x3, c33);
            y = FloatVector.broadcast(S, w[wo + 4]);
            c40 = y.fma(x0, c40); c41 = y.fma(x1, c41); c42 = y.fma(x2, c42); c43 = y.fma(x3, c43);
            y = FloatVector.broadcast(S, w[wo + 5]);
            c50 = y.fma(x0, c50); c51 = y.fma(x1, c51); c52 = y.fma(x2, c52); c53 = y.fma(x3, c53);
        }
        c00.intoArray(out, o0); c01.intoArray(out, o0 + L); c02.intoArray(out, o0 + 2 * L); c03.intoArray(out, o0 + 3 * L);
        c10.intoArray(out, o1); c11.intoArray(out, o1 + L); c12.intoArray(out, o1 + 2 * L); c13.intoArray(out, o1 + 3 * L);
        c20.intoArray(out, o2); c21.intoArray(out, o2 + L); c22.intoArray(out, o2 + 2 * L); c23.intoArray(out, o2 + 3 * L);
        c30.intoArray(out, o3); c31.intoArray(out, o3 + L); c32.intoArray(out, o3 + 2 * L); c33.intoArray(out, o3 + 3 * L);
        c40.intoArray(out, o4); c41.intoArray(out, o4 + L); c42.intoArray(out, o4 + 2 * L); c43.intoArray(out, o4 + 3 * L);
        c50.intoArray(out, o5); c51.intoArray(out, o5 + L); c52.intoArray(out, o5 + 2 * L); c53.intoArray(out, o5 + 3 * L);
    }

    private static void panel4x1(float[] w, int k, float[] v, int base, int m, float[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        FloatVector c0 = load(out, o0, first), c1 = load(out, o1, first);
        FloatVector c2 = load(out, o2, first), c3 = load(out, o3, first);
        for (int r = r0; r < r1; r++) {
            FloatVector x = FloatVector.fromArray(S, v, r * m + j);
            int wo = (base + r) * k + p;
            c0 = FloatVector.broadcast(S, w[wo]).fma(x, c0);
            c1 = FloatVector.broadcast(S, w[wo + 1]).fma(x, c1);
            c2 = FloatVector.broadcast(S, w[wo + 2]).fma(x, c2);
            c3 = FloatVector.broadcast(S, w[wo + 3]).fma(x, c3);
        }
        c0.intoArray(out, o0); c1.intoArray(out, o1); c2.intoArray(out, o2); c3.intoArray(out, o3);
    }

    private static void panel1x1(float[] w, int k, float[] v, int base, int m, float[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o = p * m + j;
        FloatVector c = load(out, o, first);
        for (int r = r0; r < r1; r++) {
            FloatVector x = FloatVector.fromArray(S, v, r * m + j);
            c = FloatVector.broadcast(S, w[(base + r) * k + p]).fma(x, c);
        }
        c.intoArray(out, o);
    }

    /**
     * out (r×t) rows [rowFrom, rowTo) = A (r×s) · B (s×t), A with at least rowTo rows.
     *
     * <p>Every output is one chain of fused multiply-adds over p in order, whichever tile computes it.
     * Tiles are 4 rows (the last copies of row rowTo − 1, dropped) by two vectors of columns (the last
     * t mod L columns as the upper lanes of a masked vector that ends at the row end; an odd vector
     * paired with itself).
     */
    static void vectorMultiply(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
        int full = t / L;
        int vectors = full + (full * L < t ? 1 : 0);
        VectorMask<Float> all = S.maskAll(true);
        VectorMask<Float> last = full * L < t ? tailMask(t - full * L) : all;
        int lastRow = rowTo - 1;
        for (int i = rowFrom; i < rowTo; i += 4) {
            int a0 = i * s;
            int a1 = Math.min(i + 1, lastRow) * s;
            int a2 = Math.min(i + 2, lastRow) * s;
            int a3 = Math.min(i + 3, lastRow) * s;
            int rows = Math.min(4, rowTo - i);
            for (int v = 0; v < vectors; v += 2) {
                int w = Math.min(v + 1, vectors - 1);
                int j0 = v < full ? v * L : t - L;
                int j1 = w < full ? w * L : t - L;
                product4x2(a, a0, a1, a2, a3, s, b, t, j0, v < full ? all : last, j1, w < full ? all : last,
                        out, i * t, rows);
            }
        }
    }

    private static void product4x2(float[] a, int a0, int a1, int a2, int a3, int s, float[] b, int t,
                                   int j0, VectorMask<Float> m0, int j1, VectorMask<Float> m1,
                                   float[] out, int o, int rows) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < s; p++) {
            FloatVector y0 = FloatVector.fromArray(S, b, p * t + j0, m0);
            FloatVector y1 = FloatVector.fromArray(S, b, p * t + j1, m1);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(y0, c00); c01 = x.fma(y1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(y0, c10); c11 = x.fma(y1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(y0, c20); c21 = x.fma(y1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(y0, c30); c31 = x.fma(y1, c31);
        }
        c00.intoArray(out, o + j0, m0); c01.intoArray(out, o + j1, m1);
        if (rows > 1) {
            c10.intoArray(out, o + t + j0, m0); c11.intoArray(out, o + t + j1, m1);
        }
        if (rows > 2) {
            c20.intoArray(out, o + 2 * t + j0, m0); c21.intoArray(out, o + 2 * t + j1, m1);
        }
        if (rows > 3) {
            c30.intoArray(out, o + 3 * t + j0, m0); c31.intoArray(out, o + 3 * t + j1, m1);
        }
    }

    /**
     * out (r×t) rows [rowFrom, rowTo) = A (r×s) · B (s×t) for large operands: B packed in panels of NR
     * columns and A in panels of MR rows, KC values of the inner dimension at a time (BLIS-style), into a
     * 12×2-vector register tile. Each output is the same chain of fused multiply-adds over p in order as
     * in {@link #multiply}: a block starts from the value the previous one stored. Blocks past the edges
     * of A or B are zero-padded and their results dropped.
     */
    static void vectorMultiplyPacked(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
        int panels = (t + NR - 1) / NR;
        float[] pb = new float[panels * KC * NR];
        float[] pa = new float[MC * KC];
        float[] tile = new float[MR * NR];
        for (int p0 = 0; p0 < s; p0 += KC) {
            int kc = Math.min(KC, s - p0);
            boolean first = p0 == 0;
            for (int jp = 0; jp < panels; jp++) {
                int j = jp * NR;
                int w = Math.min(NR, t - j);
                for (int p = 0; p < kc; p++) {
                    int dst = (jp * kc + p) * NR;
                    System.arraycopy(b, (p0 + p) * t + j, pb, dst, w);
                    java.util.Arrays.fill(pb, dst + w, dst + NR, 0f);
                }
            }
            for (int i0 = rowFrom; i0 < rowTo; i0 += MC) {
                int mc = Math.min(MC, rowTo - i0);
                for (int ip = 0; ip * MR < mc; ip++) {
                    int base = ip * kc * MR;
                    for (int rr = 0; rr < MR; rr++) {
                        int row = i0 + ip * MR + rr;
                        int src = row * s + p0;
                        boolean real = ip * MR + rr < mc;
                        for (int p = 0; p < kc; p++) {
                            pa[base + p * MR + rr] = real ? a[src + p] : 0f;
                        }
                    }
                }
                for (int jp = 0; jp < panels; jp++) {
                    int j = jp * NR;
                    int w = Math.min(NR, t - j);
                    for (int ip = 0; ip * MR < mc; ip++) {
                        int i = i0 + ip * MR;
                        int rows = Math.min(MR, mc - ip * MR);
                        if (!first) {
                            for (int rr = 0; rr < rows; rr++) {
                                System.arraycopy(out, (i + rr) * t + j, tile, rr * NR, w);
                            }
                        }
                        kernel12x2(pa, ip * kc * MR, pb, jp * kc * NR, kc, tile, first);
                        for (int rr = 0; rr < rows; rr++) {
                            System.arraycopy(tile, rr * NR, out, (i + rr) * t + j, w);
                        }
                    }
                }
            }
        }
    }

    /** The 12×2-vector micro-kernel of {@link #multiplyPacked}: tile (12 rows of 2L) += packed A panel · packed B panel. */
    private static void kernel12x2(float[] pa, int ao, float[] pb, int bo, int kc, float[] tile, boolean first) {
        FloatVector c00 = load(tile, 0, first), c01 = load(tile, L, first);
        FloatVector c10 = load(tile, 1 * NR, first), c11 = load(tile, 1 * NR + L, first);
        FloatVector c20 = load(tile, 2 * NR, first), c21 = load(tile, 2 * NR + L, first);
        FloatVector c30 = load(tile, 3 * NR, first), c31 = load(tile, 3 * NR + L, first);
        FloatVector c40 = load(tile, 4 * NR, first), c41 = load(tile, 4 * NR + L, first);
        FloatVector c50 = load(tile, 5 * NR, first), c51 = load(tile, 5 * NR + L, first);
        FloatVector c60 = load(tile, 6 * NR, first), c61 = load(tile, 6 * NR + L, first);
        FloatVector c70 = load(tile, 7 * NR, first), c71 = load(tile, 7 * NR + L, first);
        FloatVector c80 = load(tile, 8 * NR, first), c81 = load(tile, 8 * NR + L, first);
        FloatVector c90 = load(tile, 9 * NR, first), c91 = load(tile, 9 * NR + L, first);
        FloatVector c100 = load(tile, 10 * NR, first), c101 = load(tile, 10 * NR + L, first);
        FloatVector c110 = load(tile, 11 * NR, first), c111 = load(tile, 11 * NR + L, first);
        for (int p = 0; p < kc; p++) {
            FloatVector y0 = FloatVector.fromArray(S, pb, bo + p * NR);
            FloatVector y1 = FloatVector.fromArray(S, pb, bo + p * NR + L);
            int x = ao + p * MR;
            FloatVector x0 = FloatVector.broadcast(S, pa[x + 0]);
            c00 = x0.fma(y0, c00); c01 = x0.fma(y1, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[x + 1]);
            c10 = x1.fma(y0, c10); c11 = x1.fma(y1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[x + 2]);
            c20 = x2.fma(y0, c20); c21 = x2.fma(y1, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[x + 3]);
            c30 = x3.fma(y0, c30); c31 = x3.fma(y1, c31);
            FloatVector x4 = FloatVector.broadcast(S, pa[x + 4]);
            c40 = x4.fma(y0, c40); c41 = x4.fma(y1, c41);
            FloatVector x5 = FloatVector.broadcast(S, pa[x + 5]);
            c50 = x5.fma(y0, c50); c51 = x5.fma(y1, c51);
            FloatVector x6 = FloatVector.broadcast(S, pa[x + 6]);
            c60 = x6.fma(y0, c60); c61 = x6.fma(y1, c61);
            FloatVector x7 = FloatVector.broadcast(S, pa[x + 7]);
            c70 = x7.fma(y0, c70); c71 = x7.fma(y1, c71);
            FloatVector x8 = FloatVector.broadcast(S, pa[x + 8]);
            c80 = x8.fma(y0, c80); c81 = x8.fma(y1, c81);
            FloatVector x9 = FloatVector.broadcast(S, pa[x + 9]);
            c90 = x9.fma(y0, c90); c91 = x9.fma(y1, c91);
            FloatVector x10 = FloatVector.broadcast(S, pa[x + 10]);
            c100 = x10.fma(y0, c100); c101 = x10.fma(y1, c101);
            FloatVector x11 = FloatVector.broadcast(S, pa[x + 11]);
            c110 = x11.fma(y0, c110); c111 = x11.fma(y1, c111);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 0 + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        c100.intoArray(tile, 10 * NR); c101.intoArray(tile, 10 * NR + L);
        c110.intoArray(tile, 11 * NR); c111.intoArray(tile, 11 * NR + L);
    }

    /** x ← x ⊙ (num ⊘ den') on [from, to), den' = guard where den = 0; then max(x, floor) if floor > 0. */
    static void vectorMultiplicativeUpdate(float[] x, float[] num, float[] den, float guard, float floor, int from, int to) {
        int i = from;
        FloatVector g = FloatVector.broadcast(S, guard);
        for (; i + L <= to; i += L) {
            FloatVector d = FloatVector.fromArray(S, den, i);
            d = d.blend(g, d.compare(VectorOperators.EQ, 0f));
            FloatVector r = FloatVector.fromArray(S, x, i).mul(FloatVector.fromArray(S, num, i).div(d));
            if (floor > 0f) {
                r = r.max(floor);
            }
            r.intoArray(x, i);
        }
        for (; i < to; i++) {
            float d = den[i] == 0f ? guard : den[i];
            float r = x[i] * (num[i] / d);
            x[i] = floor > 0f ? Math.max(r, floor) : r;
        }
    }

    /**
     * The β-divergence update on [from, to): x ← x·(num/den')^gamma, den' = guard where den = 0; 0 where
     * the result is below zeroBelow; then max(x, floor) if floor > 0. The power is taken in double.
     */
    static void multiplicativeUpdate(float[] x, float[] num, float[] den, float guard, double gamma, float zeroBelow,
                                     float floor, int from, int to) {
        for (int i = from; i < to; i++) {
            float d = den[i] == 0f ? guard : den[i];
            float ratio = num[i] / d;
            if (gamma != 1) {
                ratio = (float) Math.pow(ratio, gamma);
            }
            float r = x[i] * ratio;
            if (r < zeroBelow) {
                r = 0f;
            }
            x[i] = floor > 0f ? Math.max(r, floor) : r;
        }
    }

    /** out = (y + a·x) + c on [from, to). */
    static void vectorCombine(float[] y, float a, float[] x, float c, float[] out, int from, int to) {
        int i = from;
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vc = FloatVector.broadcast(S, c);
        for (; i + L <= to; i += L) {
            FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, x, i).mul(va)).add(vc).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = y[i] + a * x[i] + c;
        }
    }

    /** Σ [∇ᴾ]² on [from, to) in double, ∇ = den − num, projected onto x ≥ 0. */
    static double projectedGradientSquares(float[] x, float[] num, float[] den, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double g = (double) den[i] - num[i];
            if (!(x[i] > 0f) && g > 0) {
                continue;
            }
            s += g * g;
        }
        return s;
    }

    /**
     * One row of W·H in this precision into {@code row} (m values): Σ_p w[i·k + p]·h[p·m + j] by fma in p
     * order.
     */
    static void vectorProductRowInPrecision(float[] w, int i, int k, float[] h, int m, float[] row) {
        java.util.Arrays.fill(row, 0, m, 0f);
        for (int p = 0; p < k; p++) {
            float wp = w[i * k + p];
            FloatVector vw = FloatVector.broadcast(S, wp);
            int hb = p * m;
            int j = 0;
            for (; j + L <= m; j += L) {
                vw.fma(FloatVector.fromArray(S, h, hb + j), FloatVector.fromArray(S, row, j)).intoArray(row, j);
            }
            for (; j < m; j++) {
                row[j] = Math.fma(wp, h[hb + j], row[j]);
            }
        }
    }

    /** y^exponent for the β updates, with y = 0 replaced by guard when the exponent is negative. */
    static float power(float y, double exponent, float guard) {
        if (exponent < 0 && y == 0f) {
            y = guard;
        }
        if (exponent == -1) {
            return 1f / y;
        }
        if (exponent == 1) {
            return y;
        }
        if (exponent == 0) {
            return 1f;
        }
        return (float) Math.pow(y, exponent);
    }

    /** HALS sweep of columns [colFrom, colTo) of H (k×m) with C = Wᵀ·V (k×m), D = Wᵀ·W (k×k). */
    static void vectorHalsRows(float[] h, float[] c, float[] d, int k, int m, int colFrom, int colTo) {
        int j = colFrom;
        // Four vectors of columns at a time: four independent chains over r (columns do not interact).
        for (; j + 4 * L <= colTo; j += 4 * L) {
            for (int l = 0; l < k; l++) {
                float hess = d[l * k + l];
                if (hess == 0f) {
                    continue;
                }
                int o = l * m + j;
                FloatVector g0 = FloatVector.fromArray(S, c, o).neg();
                FloatVector g1 = FloatVector.fromArray(S, c, o + L).neg();
                FloatVector g2 = FloatVector.fromArray(S, c, o + 2 * L).neg();
                FloatVector g3 = FloatVector.fromArray(S, c, o + 3 * L).neg();
                for (int r = 0; r < k; r++) {
                    FloatVector x = FloatVector.broadcast(S, d[l * k + r]);
                    int hr = r * m + j;
                    g0 = x.fma(FloatVector.fromArray(S, h, hr), g0);
                    g1 = x.fma(FloatVector.fromArray(S, h, hr + L), g1);
                    g2 = x.fma(FloatVector.fromArray(S, h, hr + 2 * L), g2);
                    g3 = x.fma(FloatVector.fromArray(S, h, hr + 3 * L), g3);
                }
                FloatVector.fromArray(S, h, o).sub(g0.div(hess)).max(0f).intoArray(h, o);
                FloatVector.fromArray(S, h, o + L).sub(g1.div(hess)).max(0f).intoArray(h, o + L);
                FloatVector.fromArray(S, h, o + 2 * L).sub(g2.div(hess)).max(0f).intoArray(h, o + 2 * L);
                FloatVector.fromArray(S, h, o + 3 * L).sub(g3.div(hess)).max(0f).intoArray(h, o + 3 * L);
            }
        }
        for (; j + L <= colTo; j += L) {
            for (int l = 0; l < k; l++) {
                float hess = d[l * k + l];
                if (hess == 0f) {
                    continue;
                }
                FloatVector grad = FloatVector.fromArray(S, c, l * m + j).neg();
                for (int r = 0; r < k; r++) {
                    grad = FloatVector.broadcast(S, d[l * k + r]).fma(FloatVector.fromArray(S, h, r * m + j), grad);
                }
                FloatVector x = FloatVector.fromArray(S, h, l * m + j);
                x.sub(grad.div(hess)).max(0f).intoArray(h, l * m + j);
            }
        }
        for (; j < colTo; j++) {
            for (int l = 0; l < k; l++) {
                float hess = d[l * k + l];
                if (hess == 0f) {
                    continue;
                }
                float grad = -c[l * m + j];
                for (int r = 0; r < k; r++) {
                    grad = Math.fma(d[l * k + r], h[r * m + j], grad);
                }
                h[l * m + j] = Math.max(h[l * m + j] - grad / hess, 0f);
            }
        }
    }

    /** Σ x[i]·y[i] over [from, to) in double, in index order. */
    static double dot(float[] x, float[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    /** Σ x[i]² over [from, to) in double, in index order. */
    static double squares(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double v = x[i];
            s += v * v;
        }
        return s;
    }

    /** out[i·k + p] = Σ_{(i,j) stored} v_ij·ht[j·k + p] for CSR rows [rowFrom, rowTo); ht is Hᵀ (m×k). */
    static void vectorSparseMultiplyByTransposed(int[] rowStart, int[] columns, float[] values, float[] ht, int k,
                                           float[] out, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            sparseRow(rowStart[i], rowStart[i + 1], columns, values, ht, k, out, i * k);
        }
    }

    /**
     * out[p·m + j] = Σ_i w[i·k + p]·v_ij for columns j ∈ [colFrom, colTo), reading the CSR of Vᵀ
     * (row j of Vᵀ lists column j of V).
     */
    static void vectorSparseMultiplyTransposedBy(int[] tRowStart, int[] tColumns, float[] tValues, float[] w, int k,
                                           int m, float[] out, int colFrom, int colTo) {
        float[] row = new float[L + k];
        for (int j = colFrom; j < colTo; j++) {
            sparseRow(tRowStart[j], tRowStart[j + 1], tColumns, tValues, w, k, row, L);
            for (int p = 0; p < k; p++) {
                out[p * m + j] = row[L + p];
            }
        }
    }

    /**
     * out[o + p] = Σ_q values[q]·x[columns[q]·k + p] over the stored entries [q0, q1) of one sparse row, for
     * p &lt; k, one vector of p at a time. The last (k mod L) values of p are the upper lanes of loads that
     * end at the end of a row of x (out needs L − (k mod L) writable values before o for them).
     */
    private static void sparseRow(int q0, int q1, int[] columns, float[] values, float[] x, int k, float[] out,
                                  int o) {
        VectorMask<Float> all = S.maskAll(true);
        int p = 0;
        for (; p + L <= k; p += L) {
            sparseDot(q0, q1, columns, values, x, k, p, all).intoArray(out, o + p);
        }
        if (p < k) {
            VectorMask<Float> last = tailMask(k - p);
            sparseDot(q0, q1, columns, values, x, k, k - L, last).intoArray(out, o + k - L, last);
        }
    }

    /**
     * Σ_q values[q]·x[columns[q]·k + offset + lane] over [q0, q1) in the given lanes, as four interleaved
     * sums (q ≡ 0, 1, 2, 3 mod 4 from q0, the last &lt; 4 entries into the first) added as (s0 + s1) + (s2 + s3):
     * a fixed order for a given row, with four independent chains of fused multiply-adds.
     */
    private static FloatVector sparseDot(int q0, int q1, int[] columns, float[] values, float[] x, int k, int offset,
                                         VectorMask<Float> lanes) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int q = q0;
        for (; q + 4 <= q1; q += 4) {
            s0 = FloatVector.broadcast(S, values[q]).fma(FloatVector.fromArray(S, x, columns[q] * k + offset, lanes), s0);
            s1 = FloatVector.broadcast(S, values[q + 1]).fma(FloatVector.fromArray(S, x, columns[q + 1] * k + offset, lanes), s1);
            s2 = FloatVector.broadcast(S, values[q + 2]).fma(FloatVector.fromArray(S, x, columns[q + 2] * k + offset, lanes), s2);
            s3 = FloatVector.broadcast(S, values[q + 3]).fma(FloatVector.fromArray(S, x, columns[q + 3] * k + offset, lanes), s3);
        }
        for (; q < q1; q++) {
            s0 = FloatVector.broadcast(S, values[q]).fma(FloatVector.fromArray(S, x, columns[q] * k + offset, lanes), s0);
        }
        return s0.add(s1).add(s2.add(s3));
    }

    /** One row of W·H (m values) into {@code row}, in double. */
    static void productRow(float[] w, int i, int k, float[] h, int m, double[] row) {
        java.util.Arrays.fill(row, 0, m, 0.0);
        for (int p = 0; p < k; p++) {
            double wp = w[i * k + p];
            if (wp == 0) {
                continue;
            }
            int hb = p * m;
            for (int j = 0; j < m; j++) {
                row[j] += wp * h[hb + j];
            }
        }
    }

    /**
     * Scalar twins of the Vector API kernels: for every output the same operations in the same order (each
     * lane's chain of fused multiply-adds, the same pairwise lane tree, the same masked tails), so the same
     * bits; KernelTwinsTest checks them against the vector code. A nested class, so that the C2-only compiler
     * directive, which names FloatKernels, leaves these to C1, which compiles them within milliseconds.
     */
    static final class Scalar {
        private Scalar() {
        }

        static void multiplyByTransposed(float[] a, int m, float[] b, int k, float[] out, int outRow0, int rowFrom,
                                         int rowTo) {
            float[] lanes = new float[L];
            int vectorEnd = m / L * L;
            int tail = m - vectorEnd;
            for (int i = rowFrom; i < rowTo; i++) {
                int ai = i * m;
                int o = (outRow0 + i) * k;
                for (int p = 0; p < k; p++) {
                    int bp = p * m;
                    if (L % 8 == 0) {
                        laneChains8(a, ai, b, bp, vectorEnd, lanes);
                    } else {
                        java.util.Arrays.fill(lanes, 0f);
                        for (int j = 0; j < vectorEnd; j += L) {
                            for (int q = 0; q < L; q++) {
                                lanes[q] = Math.fma(a[ai + j + q], b[bp + j + q], lanes[q]);
                            }
                        }
                    }
                    if (tail > 0) {
                        // The masked load that ends at the row's end: its upper t lanes.
                        for (int q = L - tail; q < L; q++) {
                            lanes[q] = Math.fma(a[ai + m - L + q], b[bp + m - L + q], lanes[q]);
                        }
                    }
                    out[o + p] = laneSum(lanes);
                }
            }
        }

        /**
         * lanes[q] = the chain of fused multiply-adds over j ≡ q (mod L), j &lt; end, eight lanes at a time in
         * locals: eight independent chains that C2 keeps in registers (a loop over the L lanes is 3× slower).
         */
        private static void laneChains8(float[] a, int ai, float[] b, int bp, int end, float[] lanes) {
            for (int q = 0; q < L; q += 8) {
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
                for (int j = q; j < end; j += L) {
                    int x = ai + j;
                    int y = bp + j;
                    s0 = Math.fma(a[x], b[y], s0);
                    s1 = Math.fma(a[x + 1], b[y + 1], s1);
                    s2 = Math.fma(a[x + 2], b[y + 2], s2);
                    s3 = Math.fma(a[x + 3], b[y + 3], s3);
                    s4 = Math.fma(a[x + 4], b[y + 4], s4);
                    s5 = Math.fma(a[x + 5], b[y + 5], s5);
                    s6 = Math.fma(a[x + 6], b[y + 6], s6);
                    s7 = Math.fma(a[x + 7], b[y + 7], s7);
                }
                lanes[q] = s0;
                lanes[q + 1] = s1;
                lanes[q + 2] = s2;
                lanes[q + 3] = s3;
                lanes[q + 4] = s4;
                lanes[q + 5] = s5;
                lanes[q + 6] = s6;
                lanes[q + 7] = s7;
            }
        }

        /** The pairwise tree of {@link FloatKernels#lanesums} on one vector's lanes (overwritten). */
        private static float laneSum(float[] lanes) {
            for (int h = L / 2; h > 0; h /= 2) {
                for (int q = 0; q < h; q++) {
                    lanes[q] = lanes[q] + lanes[q + h];
                }
            }
            return lanes[0];
        }

        /** Columns of Wᵀ·V the twin below sums at a time: its k accumulator rows then stay in L1. */
        private static final int TWIN_PANEL_COLUMNS = 128;

        /**
         * Each output is the chain over the rows of V, as in the vector code. A chunk of columns at a time, the
         * chunk of V's row copied to {@code x} and the sums kept in one array per output row, so that every
         * array is indexed from 0 by the same j: C2 vectorises such loops (it does not where two arrays are
         * indexed at different offsets, since they might be one array), 13–20 GFLOP/s on one core here against
         * 5–7 for the same loops over offsets into V and the output (2000×1500, k = 30, float64).
         */
        static void multiplyTransposedBy(float[] w, int k, float[][] vBlocks, int blockRows, int n, int m,
                                         float[] out, int colFrom, int colTo) {
            int chunk = Math.min(TWIN_PANEL_COLUMNS, colTo - colFrom);
            if (chunk <= 0) {
                return;
            }
            float[] x = new float[chunk];
            float[][] sums = new float[k][chunk];
            for (int j0 = colFrom; j0 < colTo; j0 += chunk) {
                int len = Math.min(chunk, colTo - j0);
                for (float[] row : sums) {
                    java.util.Arrays.fill(row, 0f);
                }
                for (int i = 0; i < n; i++) {
                    System.arraycopy(vBlocks[i / blockRows], (i % blockRows) * m + j0, x, 0, len);
                    int p = 0;
                    for (; p + 4 <= k; p += 4) {
                        // Four rows of the output per pass over the chunk of V's row (each its own chain).
                        axpy4(w[i * k + p], w[i * k + p + 1], w[i * k + p + 2], w[i * k + p + 3], x,
                                sums[p], sums[p + 1], sums[p + 2], sums[p + 3], len);
                    }
                    for (; p < k; p++) {
                        axpy(w[i * k + p], x, sums[p], len);
                    }
                }
                for (int p = 0; p < k; p++) {
                    System.arraycopy(sums[p], 0, out, p * m + j0, len);
                }
            }
        }

        private static void axpy4(float w0, float w1, float w2, float w3, float[] x, float[] y0, float[] y1,
                                  float[] y2, float[] y3, int len) {
            for (int j = 0; j < len; j++) {
                float xj = x[j];
                y0[j] = Math.fma(w0, xj, y0[j]);
                y1[j] = Math.fma(w1, xj, y1[j]);
                y2[j] = Math.fma(w2, xj, y2[j]);
                y3[j] = Math.fma(w3, xj, y3[j]);
            }
        }

        private static void axpy(float w0, float[] x, float[] y, int len) {
            for (int j = 0; j < len; j++) {
                y[j] = Math.fma(w0, x[j], y[j]);
            }
        }

        /** Also the twin of multiplyPacked, whose outputs are the same chains (for s &gt; 0). */
        static void multiply(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
            for (int i = rowFrom; i < rowTo; i++) {
                int o = i * t;
                java.util.Arrays.fill(out, o, o + t, 0f);
                for (int p = 0; p < s; p++) {
                    float ap = a[i * s + p];
                    int bo = p * t;
                    for (int j = 0; j < t; j++) {
                        out[o + j] = Math.fma(ap, b[bo + j], out[o + j]);
                    }
                }
            }
        }

        static void multiplicativeUpdate(float[] x, float[] num, float[] den, float guard, float floor, int from,
                                         int to) {
            for (int i = from; i < to; i++) {
                float d = den[i] == 0f ? guard : den[i];
                float r = x[i] * (num[i] / d);
                x[i] = floor > 0f ? Math.max(r, floor) : r;
            }
        }

        static void combine(float[] y, float a, float[] x, float c, float[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                out[i] = y[i] + a * x[i] + c;
            }
        }

        static void productRowInPrecision(float[] w, int i, int k, float[] h, int m, float[] row) {
            java.util.Arrays.fill(row, 0, m, 0f);
            for (int p = 0; p < k; p++) {
                float wp = w[i * k + p];
                int hb = p * m;
                for (int j = 0; j < m; j++) {
                    row[j] = Math.fma(wp, h[hb + j], row[j]);
                }
            }
        }

        static void halsRows(float[] h, float[] c, float[] d, int k, int m, int colFrom, int colTo) {
            for (int j = colFrom; j < colTo; j++) {
                for (int l = 0; l < k; l++) {
                    float hess = d[l * k + l];
                    if (hess == 0f) {
                        continue;
                    }
                    float grad = -c[l * m + j];
                    for (int r = 0; r < k; r++) {
                        grad = Math.fma(d[l * k + r], h[r * m + j], grad);
                    }
                    h[l * m + j] = Math.max(h[l * m + j] - grad / hess, 0f);
                }
            }
        }

        static void sparseMultiplyByTransposed(int[] rowStart, int[] columns, float[] values, float[] ht, int k,
                                               float[] out, int rowFrom, int rowTo) {
            float[] sums = new float[4 * k];
            for (int i = rowFrom; i < rowTo; i++) {
                sparseRow(rowStart[i], rowStart[i + 1], columns, values, ht, k, sums);
                System.arraycopy(sums, 0, out, i * k, k);
            }
        }

        static void sparseMultiplyTransposedBy(int[] tRowStart, int[] tColumns, float[] tValues, float[] w, int k,
                                               int m, float[] out, int colFrom, int colTo) {
            float[] sums = new float[4 * k];
            for (int j = colFrom; j < colTo; j++) {
                sparseRow(tRowStart[j], tRowStart[j + 1], tColumns, tValues, w, k, sums);
                for (int p = 0; p < k; p++) {
                    out[p * m + j] = sums[p];
                }
            }
        }

        /** {@link FloatKernels#sparseDot}'s four chains for every p; the row's sums are left in sums[0, k). */
        private static void sparseRow(int q0, int q1, int[] columns, float[] values, float[] x, int k,
                                      float[] sums) {
            java.util.Arrays.fill(sums, 0f);
            int q = q0;
            for (; q + 4 <= q1; q += 4) {
                for (int chain = 0; chain < 4; chain++) {
                    float value = values[q + chain];
                    int xo = columns[q + chain] * k;
                    int so = chain * k;
                    for (int p = 0; p < k; p++) {
                        sums[so + p] = Math.fma(value, x[xo + p], sums[so + p]);
                    }
                }
            }
            for (; q < q1; q++) {
                float value = values[q];
                int xo = columns[q] * k;
                for (int p = 0; p < k; p++) {
                    sums[p] = Math.fma(value, x[xo + p], sums[p]);
                }
            }
            for (int p = 0; p < k; p++) {
                sums[p] = (sums[p] + sums[k + p]) + (sums[2 * k + p] + sums[3 * k + p]);
            }
        }
    }

    /**
     * Which kernels run their Vector API code. Until C2 has compiled a vector kernel it runs in the
     * interpreter, a hundred times slower or more than its scalar twin, and C2 needs about 1.7 s of CPU for a
     * fit's kernels (benchmarks/results/cold-start-2026-12-07.md). So the first kernel call starts a daemon
     * thread that calls each kernel the fit has called, vector code and twin in turn, on a small problem, until
     * the vector call runs {@value #COMPILED_SPEED_UP}× faster than its first, interpreted calls and at most
     * {@value #TWIN_FACTOR}× the twin's time, twice in a row, and then switches that kernel to its vector code.
     * Until then the fit runs the twins ({@link Scalar}), which give the same bits, so which code ran never
     * shows in a result. {@code -Djnmf.kernelWarmup=false}: vector code from the first call; {@code true}: twins in
     * float32 too, where they are off by default (see the static initialiser).
     */
    static final class Warmup {
        static final int DOT = 0;
        static final int PANELS = 1;
        static final int MULTIPLY = 2;
        static final int PACKED = 3;
        static final int UPDATE = 4;
        static final int COMBINE = 5;
        static final int ROW = 6;
        static final int HALS = 7;
        static final int SPARSE_ROWS = 8;
        static final int SPARSE_COLUMNS = 9;
        static final int WIDE_PANELS = 10;
        static final int NARROW_DOT = 11;
        private static final int KERNELS = 12;
        private static final int ALL = (1 << KERNELS) - 1;
        /** Calls timed as the interpreted speed: C2 compiles a method only after tens of calls. */
        private static final int INTERPRETED_CALLS = 4;
        private static final int COMPILED_SPEED_UP = 16;
        /**
         * And at most this many times the twin's time on the problem: a helper C2 has not compiled yet (a tail,
         * a second tile shape) still runs interpreted, far slower than the whole twin.
         */
        private static final int TWIN_FACTOR = 2;
        /** After this many calls of every waiting kernel C2 has them queued: the thread then mostly sleeps. */
        private static final int QUEUED_CALLS = 40;
        /** If a kernel is not seen compiled by then, it is switched to its vector code anyway. */
        private static final long GIVE_UP_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(20);

        /** Bit i: kernel i runs its vector code. */
        private static volatile int vector;
        /** Bit i: kernel i has been called (only those are warmed: C2's time is the scarce part). */
        private static volatile int wanted;
        /** The warm-up thread, parked while no called kernel waits (it would otherwise wake every millisecond). */
        private static Thread thread;

        static {
            // Off by default in float32: there fits of 50 and 200 iterations lost time with the twins (2000×1500,
            // k = 20, AMD EPYC: 2.72 s against 1.88 with NNDSVDa at 50), though `--max-iter 0` gained
            // (benchmarks/results/cold-start-twins-float32-2026-12-07.md); in float64 they gained or broke even.
            String mode = System.getProperty("jnmf.kernelWarmup", S.elementSize() == 32 ? "false" : "true");
            if (mode.equals("scalar")) {
                vector = 0; // the twins only, for measurements
            } else if (Boolean.parseBoolean(mode)) {
                thread = new Thread(Warmup::run, "jnmf-kernel-warmup");
                thread.setDaemon(true);
                thread.start();
            } else {
                vector = ALL;
            }
        }

        private Warmup() {
        }

        static boolean vector(int kernel) {
            int bit = 1 << kernel;
            if ((vector & bit) != 0) {
                return true;
            }
            if ((wanted & bit) == 0) {
                wanted |= bit; // a lost race only delays the mark to the next call
                java.util.concurrent.locks.LockSupport.unpark(thread);
            }
            return false;
        }

        /** Whether every kernel called so far runs its vector code. */
        static boolean settled() {
            return (wanted & ~vector) == 0;
        }

        private static void run() {
            Problems problems = new Problems();
            long[] interpreted = new long[KERNELS];
            java.util.Arrays.fill(interpreted, Long.MAX_VALUE);
            int[] calls = new int[KERNELS];
            int[] fast = new int[KERNELS];
            long start = System.nanoTime();
            int ready = 0;
            try {
                while (ready != ALL && System.nanoTime() - start < GIVE_UP_NANOS) {
                    boolean queued = true;
                    int waiting = wanted & ~ready;
                    if (waiting == 0) {
                        // Until a kernel not yet compiled is called, rather than waking every millisecond for up
                        // to 20 s beside the fit's threads.
                        java.util.concurrent.locks.LockSupport.parkNanos(GIVE_UP_NANOS);
                        continue;
                    }
                    for (int kernel = 0; kernel < KERNELS; kernel++) {
                        if ((waiting & (1 << kernel)) == 0) {
                            continue;
                        }
                        long t0 = System.nanoTime();
                        problems.call(kernel, true);
                        long t1 = System.nanoTime();
                        problems.call(kernel, false);
                        long t = t1 - t0;
                        long twin = System.nanoTime() - t1;
                        if (calls[kernel]++ < INTERPRETED_CALLS) {
                            interpreted[kernel] = Math.min(interpreted[kernel], t);
                        } else if (t * COMPILED_SPEED_UP <= interpreted[kernel] && t <= TWIN_FACTOR * twin) {
                            if (++fast[kernel] == 2) {
                                ready |= 1 << kernel;
                                vector = ready;
                            }
                        } else {
                            fast[kernel] = 0;
                        }
                        queued &= calls[kernel] >= QUEUED_CALLS;
                    }
                    if (queued) {
                        Thread.sleep(1);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                vector = ALL;
            }
        }

        /** One small problem per kernel, shaped to take every branch a real call can (tiles, chunks, tails). */
        private static final class Problems {
            private final java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            private int round;
            // Rows as long as a typical V's (~100 vectors, then a tail; one chunk): C2 compiles the tiles from
            // this problem's profile, and with one full chunk and a one-vector one (a shape it had) V·Hᵀ on
            // 2000×1500×20 float32 then ran 1.1–2.0 ms instead of 0.7–0.9 for good.
            private final int dotM = 3 * DOT_CHUNK_MIN - L + 3;
            private final float[] dotA = values(5 * dotM);
            private final float[] dotB = values(5 * dotM);
            private final float[] dotOut = new float[5 * 5];
            private final int panelM = STRIP + L + 3;
            private final float[] panelW = values(70 * 5);
            private final float[][] panelV = {values(40 * panelM), values(30 * panelM)};
            private final float[] panelOut = new float[5 * panelM];
            // k = 41: six 6-row panels, a 4-row and a 1-row one for the strips, 4s and 1s for single vectors and
            // tails.
            private final float[] widePanelW = values(70 * 41);
            private final float[] widePanelOut = new float[41 * panelM];
            private final int productT = 2 * L + 3;
            private final float[] productA = values(6 * 24);
            private final float[] productB = values(24 * productT);
            private final float[] productOut = new float[6 * productT];
            private final int packedS = KC + 3;
            private final int packedT = NR + 3;
            private final float[] packedA = values(13 * packedS);
            private final float[] packedB = values(packedS * packedT);
            private final float[] packedOut = new float[13 * packedT];
            private final int length = 20 * L + 3;
            private final float[] x0 = values(length);
            private final float[] x = new float[length];
            private final float[] num = values(length);
            private final float[] den = values(length);
            private final float[] out = new float[length];
            private final int halsM = 5 * L + 3;
            private final float[] h0 = values(5 * halsM);
            private final float[] h = new float[5 * halsM];
            private final float[] c = values(5 * halsM);
            private final float[] d = values(5 * 5);
            private final float[] hRows = values(5 * length);
            private final int sparseK = L + 3;
            private final int[] rowStart = {0, 0, 1, 4, 8, 15, 24};
            private final int[] columns = new int[24];
            private final float[] sparseValues = values(24);
            private final float[] sparseX = values(10 * sparseK);
            private final float[] sparseOut = new float[6 * sparseK];

            Problems() {
                for (int i = 0; i < den.length; i += 7) {
                    den[i] = 0f;
                }
                for (int l = 0; l < 5; l++) {
                    d[l * 5 + l] += 2;
                }
                for (int row = 0; row < 6; row++) {
                    for (int q = rowStart[row]; q < rowStart[row + 1]; q++) {
                        columns[q] = q - rowStart[row];
                    }
                }
            }

            private float[] values(int count) {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) {
                    v[i] = (float) random.nextDouble();
                }
                return v;
            }

            /** Kernel {@code kernel}'s vector code, or its scalar twin, on its problem. */
            void call(int kernel, boolean vector) {
                round++;
                switch (kernel) {
                    case DOT, NARROW_DOT -> {
                        int k = kernel == DOT ? 5 : 4;
                        if (vector) {
                            vectorMultiplyByTransposed(dotA, dotM, dotB, k, dotOut, 0, 0, 5);
                        } else {
                            Scalar.multiplyByTransposed(dotA, dotM, dotB, k, dotOut, 0, 0, 5);
                        }
                    }
                    case PANELS -> {
                        if (vector) {
                            vectorMultiplyTransposedBy(panelW, 5, panelV, 40, 70, panelM, panelOut, 0, panelM);
                        } else {
                            Scalar.multiplyTransposedBy(panelW, 5, panelV, 40, 70, panelM, panelOut, 0, panelM);
                        }
                    }
                    case MULTIPLY -> {
                        if (vector) {
                            vectorMultiply(productA, 24, productB, productT, productOut, 0, 6);
                        } else {
                            Scalar.multiply(productA, 24, productB, productT, productOut, 0, 6);
                        }
                    }
                    case PACKED -> {
                        if (vector) {
                            vectorMultiplyPacked(packedA, packedS, packedB, packedT, packedOut, 0, 13);
                        } else {
                            Scalar.multiply(packedA, packedS, packedB, packedT, packedOut, 0, 13);
                        }
                    }
                    case UPDATE -> {
                        System.arraycopy(x0, 0, x, 0, length);
                        float floor = round % 4 < 2 ? 0f : (float) 1e-12;
                        if (vector) {
                            vectorMultiplicativeUpdate(x, num, den, 1, floor, 0, length);
                        } else {
                            Scalar.multiplicativeUpdate(x, num, den, 1, floor, 0, length);
                        }
                    }
                    case COMBINE -> {
                        if (vector) {
                            vectorCombine(x0, (float) 0.5, num, (float) 0.25, out, 0, length);
                        } else {
                            Scalar.combine(x0, (float) 0.5, num, (float) 0.25, out, 0, length);
                        }
                    }
                    case ROW -> {
                        if (vector) {
                            vectorProductRowInPrecision(x0, 0, 5, hRows, length, out);
                        } else {
                            Scalar.productRowInPrecision(x0, 0, 5, hRows, length, out);
                        }
                    }
                    case HALS -> {
                        System.arraycopy(h0, 0, h, 0, h.length);
                        if (vector) {
                            vectorHalsRows(h, c, d, 5, halsM, 0, halsM);
                        } else {
                            Scalar.halsRows(h, c, d, 5, halsM, 0, halsM);
                        }
                    }
                    case SPARSE_ROWS -> {
                        if (vector) {
                            vectorSparseMultiplyByTransposed(rowStart, columns, sparseValues, sparseX, sparseK,
                                    sparseOut, 0, 6);
                        } else {
                            Scalar.sparseMultiplyByTransposed(rowStart, columns, sparseValues, sparseX, sparseK,
                                    sparseOut, 0, 6);
                        }
                    }
                    case SPARSE_COLUMNS -> {
                        if (vector) {
                            vectorSparseMultiplyTransposedBy(rowStart, columns, sparseValues, sparseX, sparseK, 6,
                                    sparseOut, 0, 6);
                        } else {
                            Scalar.sparseMultiplyTransposedBy(rowStart, columns, sparseValues, sparseX, sparseK, 6,
                                    sparseOut, 0, 6);
                        }
                    }
                    case WIDE_PANELS -> {
                        if (vector) {
                            vectorMultiplyTransposedBy(widePanelW, 41, panelV, 40, 70, panelM, widePanelOut, 0, panelM);
                        } else {
                            Scalar.multiplyTransposedBy(widePanelW, 41, panelV, 40, 70, panelM, widePanelOut, 0,
                                    panelM);
                        }
                    }
                    default -> throw new IllegalArgumentException("kernel " + kernel);
                }
            }
        }
    }
}
