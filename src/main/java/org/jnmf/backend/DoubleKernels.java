package org.jnmf.backend;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float64 kernels of the Java backend, written with the Vector API.
 *
 * <p>Determinism: every output element is computed by one task in a fixed order of operations that does
 * not depend on how the work is split (lane sums are reduced in lane order, never with
 * {@code reduceLanes}, whose order is unspecified), so results are bit-identical for any thread count.
 * {@link FloatKernels} is the same code for float32; change both together.
 *
 * <p>These methods are excluded from C1 by {@code src/main/jvm/kernels-c2-only.json}: C1 gives up on
 * large Vector API methods and can leave them about 100× slow.
 */
final class DoubleKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of V per block in {@link #multiplyByTransposed}: keeps the H block in L2. */
    private static final int COLUMN_BLOCK = 2048;
    /** Rows of V per pass in {@link #multiplyTransposedBy}: keeps the V panel in L1. */
    private static final int ROW_BLOCK = 128;
    /** Width of the column strips of {@link #multiplyTransposedBy}: four vectors. */
    static final int STRIP = 4 * L;
    static final int LANES = L;

    private DoubleKernels() {
    }

    /** Sum of the lanes of {@code acc} in lane order. */
    private static double lanesum(DoubleVector acc, double[] scratch) {
        acc.intoArray(scratch, 0);
        double s = 0.0;
        for (int q = 0; q < L; q++) {
            s += scratch[q];
        }
        return s;
    }

    /**
     * out[(outRow0+i)·k + p] (+)= Σ_j a[i·m + j]·b[p·m + j] for rows i ∈ [rowFrom, rowTo) of the row-major
     * block {@code a} (·×m) and all k rows of {@code b} (k×m): C = A·Bᵀ.
     */
    static void multiplyByTransposed(double[] a, int m, double[] b, int k, double[] out, int outRow0,
                                     int rowFrom, int rowTo) {
        double[] scratch = new double[L];
        for (int j0 = 0; j0 < m || j0 == 0; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(m, j0 + COLUMN_BLOCK);
            boolean first = j0 == 0;
            int i = rowFrom;
            for (; i + 4 <= rowTo; i += 4) {
                int p = 0;
                for (; p + 4 <= k; p += 4) {
                    tile4x4(a, m, b, out, k, outRow0, i, p, j0, j1, first, scratch);
                }
                for (; p < k; p++) {
                    for (int r = 0; r < 4; r++) {
                        tile1x1(a, m, b, out, k, outRow0, i + r, p, j0, j1, first, scratch);
                    }
                }
            }
            for (; i < rowTo; i++) {
                for (int p = 0; p < k; p++) {
                    tile1x1(a, m, b, out, k, outRow0, i, p, j0, j1, first, scratch);
                }
            }
            if (m == 0) {
                break;
            }
        }
    }

    private static void tile4x4(double[] a, int m, double[] b, double[] out, int k, int outRow0, int i, int p,
                                int j0, int j1, boolean first, double[] scratch) {
        int a0 = i * m, a1 = a0 + m, a2 = a1 + m, a3 = a2 + m;
        int b0 = p * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
        DoubleVector c00 = DoubleVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        DoubleVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        DoubleVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        DoubleVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int vEnd = j0 + (j1 - j0) / L * L;
        for (int j = j0; j < vEnd; j += L) {
            DoubleVector x0 = DoubleVector.fromArray(S, a, a0 + j);
            DoubleVector x1 = DoubleVector.fromArray(S, a, a1 + j);
            DoubleVector x2 = DoubleVector.fromArray(S, a, a2 + j);
            DoubleVector x3 = DoubleVector.fromArray(S, a, a3 + j);
            DoubleVector y = DoubleVector.fromArray(S, b, b0 + j);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = DoubleVector.fromArray(S, b, b1 + j);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = DoubleVector.fromArray(S, b, b2 + j);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = DoubleVector.fromArray(S, b, b3 + j);
            c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
        }
        int o = (outRow0 + i) * k + p;
        finish(out, o, first, lanesum(c00, scratch), a, a0, b, b0, vEnd, j1);
        finish(out, o + 1, first, lanesum(c01, scratch), a, a0, b, b1, vEnd, j1);
        finish(out, o + 2, first, lanesum(c02, scratch), a, a0, b, b2, vEnd, j1);
        finish(out, o + 3, first, lanesum(c03, scratch), a, a0, b, b3, vEnd, j1);
        o += k;
        finish(out, o, first, lanesum(c10, scratch), a, a1, b, b0, vEnd, j1);
        finish(out, o + 1, first, lanesum(c11, scratch), a, a1, b, b1, vEnd, j1);
        finish(out, o + 2, first, lanesum(c12, scratch), a, a1, b, b2, vEnd, j1);
        finish(out, o + 3, first, lanesum(c13, scratch), a, a1, b, b3, vEnd, j1);
        o += k;
        finish(out, o, first, lanesum(c20, scratch), a, a2, b, b0, vEnd, j1);
        finish(out, o + 1, first, lanesum(c21, scratch), a, a2, b, b1, vEnd, j1);
        finish(out, o + 2, first, lanesum(c22, scratch), a, a2, b, b2, vEnd, j1);
        finish(out, o + 3, first, lanesum(c23, scratch), a, a2, b, b3, vEnd, j1);
        o += k;
        finish(out, o, first, lanesum(c30, scratch), a, a3, b, b0, vEnd, j1);
        finish(out, o + 1, first, lanesum(c31, scratch), a, a3, b, b1, vEnd, j1);
        finish(out, o + 2, first, lanesum(c32, scratch), a, a3, b, b2, vEnd, j1);
        finish(out, o + 3, first, lanesum(c33, scratch), a, a3, b, b3, vEnd, j1);
    }

    private static void tile1x1(double[] a, int m, double[] b, double[] out, int k, int outRow0, int i, int p,
                                int j0, int j1, boolean first, double[] scratch) {
        int a0 = i * m;
        int b0 = p * m;
        DoubleVector c = DoubleVector.zero(S);
        int vEnd = j0 + (j1 - j0) / L * L;
        for (int j = j0; j < vEnd; j += L) {
            c = DoubleVector.fromArray(S, a, a0 + j).fma(DoubleVector.fromArray(S, b, b0 + j), c);
        }
        finish(out, (outRow0 + i) * k + p, first, lanesum(c, scratch), a, a0, b, b0, vEnd, j1);
    }

    /** Adds the scalar tail [from, to) to the lane sum and stores or accumulates it. */
    private static void finish(double[] out, int o, boolean first, double sum, double[] a, int a0, double[] b, int b0,
                               int from, int to) {
        for (int j = from; j < to; j++) {
            sum = Math.fma(a[a0 + j], b[b0 + j], sum);
        }
        out[o] = first ? sum : out[o] + sum;
    }

    /**
     * out[p·m + j] = Σ_i w[i·k + p]·v(i, j) over all n rows, for columns j ∈ [colFrom, colTo): C = Wᵀ·V.
     * V is given as row blocks of {@code blockRows} rows each.
     */
    static void multiplyTransposedBy(double[] w, int k, double[][] vBlocks, int blockRows, int n, int m,
                                     double[] out, int colFrom, int colTo) {
        int j = colFrom;
        for (; j + STRIP <= colTo; j += STRIP) {
            strip(w, k, vBlocks, blockRows, n, m, out, j, 4);
        }
        for (; j + L <= colTo; j += L) {
            strip(w, k, vBlocks, blockRows, n, m, out, j, 1);
        }
        if (j < colTo) {
            scalarColumns(w, k, vBlocks, blockRows, n, m, out, j, colTo);
        }
    }

    /** Columns [j, j + vectors·L) of Wᵀ·V; vectors is 4 or 1. Row panels never straddle two V blocks. */
    private static void strip(double[] w, int k, double[][] vBlocks, int blockRows, int n, int m, double[] out,
                              int j, int vectors) {
        for (int b = 0; b * blockRows < n; b++) {
            double[] v = vBlocks[b];
            int base = b * blockRows;
            int rows = Math.min(blockRows, n - base);
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int r1 = Math.min(rows, r0 + ROW_BLOCK);
                boolean first = base + r0 == 0;
                int p = 0;
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
        }
        if (n == 0) {
            for (int p = 0; p < k; p++) {
                for (int s = 0; s < vectors * L; s++) {
                    out[p * m + j + s] = 0.0;
                }
            }
        }
    }

    private static DoubleVector load(double[] out, int o, boolean first) {
        return first ? DoubleVector.zero(S) : DoubleVector.fromArray(S, out, o);
    }

    /** Rows [r0, r1) of the V block {@code v}, whose row 0 is row {@code base} of V (and of W). */
    private static void panel4x4(double[] w, int k, double[] v, int base, int m, double[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        DoubleVector c00 = load(out, o0, first), c01 = load(out, o0 + L, first);
        DoubleVector c02 = load(out, o0 + 2 * L, first), c03 = load(out, o0 + 3 * L, first);
        DoubleVector c10 = load(out, o1, first), c11 = load(out, o1 + L, first);
        DoubleVector c12 = load(out, o1 + 2 * L, first), c13 = load(out, o1 + 3 * L, first);
        DoubleVector c20 = load(out, o2, first), c21 = load(out, o2 + L, first);
        DoubleVector c22 = load(out, o2 + 2 * L, first), c23 = load(out, o2 + 3 * L, first);
        DoubleVector c30 = load(out, o3, first), c31 = load(out, o3 + L, first);
        DoubleVector c32 = load(out, o3 + 2 * L, first), c33 = load(out, o3 + 3 * L, first);
        for (int r = r0; r < r1; r++) {
            int vo = r * m + j;
            DoubleVector x0 = DoubleVector.fromArray(S, v, vo);
            DoubleVector x1 = DoubleVector.fromArray(S, v, vo + L);
            DoubleVector x2 = DoubleVector.fromArray(S, v, vo + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(S, v, vo + 3 * L);
            int wo = (base + r) * k + p;
            DoubleVector y = DoubleVector.broadcast(S, w[wo]);
            c00 = y.fma(x0, c00); c01 = y.fma(x1, c01); c02 = y.fma(x2, c02); c03 = y.fma(x3, c03);
            y = DoubleVector.broadcast(S, w[wo + 1]);
            c10 = y.fma(x0, c10); c11 = y.fma(x1, c11); c12 = y.fma(x2, c12); c13 = y.fma(x3, c13);
            y = DoubleVector.broadcast(S, w[wo + 2]);
            c20 = y.fma(x0, c20); c21 = y.fma(x1, c21); c22 = y.fma(x2, c22); c23 = y.fma(x3, c23);
            y = DoubleVector.broadcast(S, w[wo + 3]);
            c30 = y.fma(x0, c30); c31 = y.fma(x1, c31); c32 = y.fma(x2, c32); c33 = y.fma(x3, c33);
        }
        c00.intoArray(out, o0); c01.intoArray(out, o0 + L); c02.intoArray(out, o0 + 2 * L); c03.intoArray(out, o0 + 3 * L);
        c10.intoArray(out, o1); c11.intoArray(out, o1 + L); c12.intoArray(out, o1 + 2 * L); c13.intoArray(out, o1 + 3 * L);
        c20.intoArray(out, o2); c21.intoArray(out, o2 + L); c22.intoArray(out, o2 + 2 * L); c23.intoArray(out, o2 + 3 * L);
        c30.intoArray(out, o3); c31.intoArray(out, o3 + L); c32.intoArray(out, o3 + 2 * L); c33.intoArray(out, o3 + 3 * L);
    }

    private static void panel4x1(double[] w, int k, double[] v, int base, int m, double[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o0 = p * m + j, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        DoubleVector c0 = load(out, o0, first), c1 = load(out, o1, first);
        DoubleVector c2 = load(out, o2, first), c3 = load(out, o3, first);
        for (int r = r0; r < r1; r++) {
            DoubleVector x = DoubleVector.fromArray(S, v, r * m + j);
            int wo = (base + r) * k + p;
            c0 = DoubleVector.broadcast(S, w[wo]).fma(x, c0);
            c1 = DoubleVector.broadcast(S, w[wo + 1]).fma(x, c1);
            c2 = DoubleVector.broadcast(S, w[wo + 2]).fma(x, c2);
            c3 = DoubleVector.broadcast(S, w[wo + 3]).fma(x, c3);
        }
        c0.intoArray(out, o0); c1.intoArray(out, o1); c2.intoArray(out, o2); c3.intoArray(out, o3);
    }

    private static void panel1x1(double[] w, int k, double[] v, int base, int m, double[] out, int j,
                                 int p, int r0, int r1, boolean first) {
        int o = p * m + j;
        DoubleVector c = load(out, o, first);
        for (int r = r0; r < r1; r++) {
            DoubleVector x = DoubleVector.fromArray(S, v, r * m + j);
            c = DoubleVector.broadcast(S, w[(base + r) * k + p]).fma(x, c);
        }
        c.intoArray(out, o);
    }

    private static void scalarColumns(double[] w, int k, double[][] vBlocks, int blockRows, int n, int m,
                                      double[] out, int from, int to) {
        for (int p = 0; p < k; p++) {
            for (int j = from; j < to; j++) {
                double c = 0.0;
                for (int b = 0; b * blockRows < n; b++) {
                    double[] v = vBlocks[b];
                    int base = b * blockRows;
                    int rows = Math.min(blockRows, n - base);
                    for (int r = 0; r < rows; r++) {
                        c = Math.fma(w[(base + r) * k + p], v[r * m + j], c);
                    }
                }
                out[p * m + j] = c;
            }
        }
    }

    /** out (r×t) rows [rowFrom, rowTo) = A (r×s) · B (s×t). */
    static void multiply(double[] a, int s, double[] b, int t, double[] out, int rowFrom, int rowTo) {
        int vEnd = t / L * L;
        for (int i = rowFrom; i < rowTo; i++) {
            int o = i * t;
            for (int j = 0; j < vEnd; j += L) {
                DoubleVector c = DoubleVector.zero(S);
                for (int p = 0; p < s; p++) {
                    c = DoubleVector.broadcast(S, a[i * s + p]).fma(DoubleVector.fromArray(S, b, p * t + j), c);
                }
                c.intoArray(out, o + j);
            }
            for (int j = vEnd; j < t; j++) {
                double c = 0.0;
                for (int p = 0; p < s; p++) {
                    c = Math.fma(a[i * s + p], b[p * t + j], c);
                }
                out[o + j] = c;
            }
        }
    }

    /** x ← x ⊙ (num ⊘ den') on [from, to), den' = guard where den = 0; then max(x, floor) if floor > 0. */
    static void multiplicativeUpdate(double[] x, double[] num, double[] den, double guard, double floor, int from, int to) {
        int i = from;
        DoubleVector g = DoubleVector.broadcast(S, guard);
        for (; i + L <= to; i += L) {
            DoubleVector d = DoubleVector.fromArray(S, den, i);
            d = d.blend(g, d.compare(VectorOperators.EQ, 0.0));
            DoubleVector r = DoubleVector.fromArray(S, x, i).mul(DoubleVector.fromArray(S, num, i).div(d));
            if (floor > 0.0) {
                r = r.max(floor);
            }
            r.intoArray(x, i);
        }
        for (; i < to; i++) {
            double d = den[i] == 0.0 ? guard : den[i];
            double r = x[i] * (num[i] / d);
            x[i] = floor > 0.0 ? Math.max(r, floor) : r;
        }
    }

    /** HALS sweep of columns [colFrom, colTo) of H (k×m) with C = Wᵀ·V (k×m), D = Wᵀ·W (k×k). */
    static void halsRows(double[] h, double[] c, double[] d, int k, int m, int colFrom, int colTo) {
        int j = colFrom;
        for (; j + L <= colTo; j += L) {
            for (int l = 0; l < k; l++) {
                double hess = d[l * k + l];
                if (hess == 0.0) {
                    continue;
                }
                DoubleVector grad = DoubleVector.fromArray(S, c, l * m + j).neg();
                for (int r = 0; r < k; r++) {
                    grad = DoubleVector.broadcast(S, d[l * k + r]).fma(DoubleVector.fromArray(S, h, r * m + j), grad);
                }
                DoubleVector x = DoubleVector.fromArray(S, h, l * m + j);
                x.sub(grad.div(hess)).max(0.0).intoArray(h, l * m + j);
            }
        }
        for (; j < colTo; j++) {
            for (int l = 0; l < k; l++) {
                double hess = d[l * k + l];
                if (hess == 0.0) {
                    continue;
                }
                double grad = -c[l * m + j];
                for (int r = 0; r < k; r++) {
                    grad = Math.fma(d[l * k + r], h[r * m + j], grad);
                }
                h[l * m + j] = Math.max(h[l * m + j] - grad / hess, 0.0);
            }
        }
    }

    /** Σ x[i]·y[i] over [from, to) in double, in index order. */
    static double dot(double[] x, double[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    /** Σ x[i]² over [from, to) in double, in index order. */
    static double squares(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double v = x[i];
            s += v * v;
        }
        return s;
    }

    /** out[i·k + p] = Σ_{(i,j) stored} v_ij·ht[j·k + p] for CSR rows [rowFrom, rowTo); ht is Hᵀ (m×k). */
    static void sparseMultiplyByTransposed(int[] rowStart, int[] columns, double[] values, double[] ht, int k,
                                           double[] out, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            int o = i * k;
            for (int p = 0; p < k; p++) {
                out[o + p] = 0.0;
            }
            for (int q = rowStart[i]; q < rowStart[i + 1]; q++) {
                double v = values[q];
                int hb = columns[q] * k;
                for (int p = 0; p < k; p++) {
                    out[o + p] = Math.fma(v, ht[hb + p], out[o + p]);
                }
            }
        }
    }

    /**
     * out[p·m + j] = Σ_i w[i·k + p]·v_ij for columns j ∈ [colFrom, colTo), reading the CSR of Vᵀ
     * (row j of Vᵀ lists column j of V).
     */
    static void sparseMultiplyTransposedBy(int[] tRowStart, int[] tColumns, double[] tValues, double[] w, int k,
                                           int m, double[] out, int colFrom, int colTo) {
        double[] acc = new double[k];
        for (int j = colFrom; j < colTo; j++) {
            java.util.Arrays.fill(acc, 0.0);
            for (int q = tRowStart[j]; q < tRowStart[j + 1]; q++) {
                double v = tValues[q];
                int wb = tColumns[q] * k;
                for (int p = 0; p < k; p++) {
                    acc[p] = Math.fma(v, w[wb + p], acc[p]);
                }
            }
            for (int p = 0; p < k; p++) {
                out[p * m + j] = acc[p];
            }
        }
    }

    /** One row of W·H (m values) into {@code row}, in double. */
    static void productRow(double[] w, int i, int k, double[] h, int m, double[] row) {
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
}
