package org.jnmf.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 kernels of the Java backend, written with the Vector API.
 *
 * <p>Determinism: every output element is computed by one task in a fixed order of operations that does
 * not depend on how the work is split (lane sums are reduced in lane order, never with
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
    /** Columns of V per block in {@link #multiplyByTransposed}: keeps the H block in L2. */
    private static final int COLUMN_BLOCK = 2048;
    /** Rows of V per pass in {@link #multiplyTransposedBy}: keeps the V panel in L1. */
    private static final int ROW_BLOCK = 128;
    /** Width of the column strips of {@link #multiplyTransposedBy}: four vectors. */
    static final int STRIP = 4 * L;
    static final int LANES = L;

    private FloatKernels() {
    }

    /** Sum of the lanes of {@code acc} in lane order. */
    private static float lanesum(FloatVector acc, float[] scratch) {
        acc.intoArray(scratch, 0);
        float s = 0f;
        for (int q = 0; q < L; q++) {
            s += scratch[q];
        }
        return s;
    }

    /**
     * out[(outRow0+i)·k + p] (+)= Σ_j a[i·m + j]·b[p·m + j] for rows i ∈ [rowFrom, rowTo) of the row-major
     * block {@code a} (·×m) and all k rows of {@code b} (k×m): C = A·Bᵀ.
     */
    static void multiplyByTransposed(float[] a, int m, float[] b, int k, float[] out, int outRow0,
                                     int rowFrom, int rowTo) {
        float[] scratch = new float[L];
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

    private static void tile4x4(float[] a, int m, float[] b, float[] out, int k, int outRow0, int i, int p,
                                int j0, int j1, boolean first, float[] scratch) {
        int a0 = i * m, a1 = a0 + m, a2 = a1 + m, a3 = a2 + m;
        int b0 = p * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int vEnd = j0 + (j1 - j0) / L * L;
        for (int j = j0; j < vEnd; j += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + j);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + j);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + j);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + j);
            FloatVector y = FloatVector.fromArray(S, b, b0 + j);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(S, b, b1 + j);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(S, b, b2 + j);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(S, b, b3 + j);
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

    private static void tile1x1(float[] a, int m, float[] b, float[] out, int k, int outRow0, int i, int p,
                                int j0, int j1, boolean first, float[] scratch) {
        int a0 = i * m;
        int b0 = p * m;
        FloatVector c = FloatVector.zero(S);
        int vEnd = j0 + (j1 - j0) / L * L;
        for (int j = j0; j < vEnd; j += L) {
            c = FloatVector.fromArray(S, a, a0 + j).fma(FloatVector.fromArray(S, b, b0 + j), c);
        }
        finish(out, (outRow0 + i) * k + p, first, lanesum(c, scratch), a, a0, b, b0, vEnd, j1);
    }

    /** Adds the scalar tail [from, to) to the lane sum and stores or accumulates it. */
    private static void finish(float[] out, int o, boolean first, float sum, float[] a, int a0, float[] b, int b0,
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
    static void multiplyTransposedBy(float[] w, int k, float[][] vBlocks, int blockRows, int n, int m,
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
                    tailPanel(w, k, v, base, m, out, vectorEnd, colTo, r0, r1, first);
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
     * The last (fewer than L) columns, row by row within the panel: reading V along its rows keeps these
     * loads in the cache lines the vector strips just used, where walking down a column would miss on
     * every row.
     */
    private static void tailPanel(float[] w, int k, float[] v, int base, int m, float[] out, int from, int to,
                                  int r0, int r1, boolean first) {
        for (int p = 0; p < k; p++) {
            int o = p * m;
            if (first) {
                for (int j = from; j < to; j++) {
                    out[o + j] = 0f;
                }
            }
            for (int r = r0; r < r1; r++) {
                float wp = w[(base + r) * k + p];
                int vo = r * m;
                for (int j = from; j < to; j++) {
                    out[o + j] = Math.fma(wp, v[vo + j], out[o + j]);
                }
            }
        }
    }

    /** Rows [r0, r1) of one V block into columns [j, j + vectors·L) of Wᵀ·V, for every k; vectors is 4 or 1. */
    private static void panels(float[] w, int k, float[] v, int base, int m, float[] out, int j, int vectors,
                               int r0, int r1, boolean first) {
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

    /** out (r×t) rows [rowFrom, rowTo) = A (r×s) · B (s×t). */
    static void multiply(float[] a, int s, float[] b, int t, float[] out, int rowFrom, int rowTo) {
        int vEnd = t / L * L;
        for (int i = rowFrom; i < rowTo; i++) {
            int o = i * t;
            for (int j = 0; j < vEnd; j += L) {
                FloatVector c = FloatVector.zero(S);
                for (int p = 0; p < s; p++) {
                    c = FloatVector.broadcast(S, a[i * s + p]).fma(FloatVector.fromArray(S, b, p * t + j), c);
                }
                c.intoArray(out, o + j);
            }
            for (int j = vEnd; j < t; j++) {
                float c = 0f;
                for (int p = 0; p < s; p++) {
                    c = Math.fma(a[i * s + p], b[p * t + j], c);
                }
                out[o + j] = c;
            }
        }
    }

    /** x ← x ⊙ (num ⊘ den') on [from, to), den' = guard where den = 0; then max(x, floor) if floor > 0. */
    static void multiplicativeUpdate(float[] x, float[] num, float[] den, float guard, float floor, int from, int to) {
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
    static void combine(float[] y, float a, float[] x, float c, float[] out, int from, int to) {
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
    static void productRowInPrecision(float[] w, int i, int k, float[] h, int m, float[] row) {
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
    static void halsRows(float[] h, float[] c, float[] d, int k, int m, int colFrom, int colTo) {
        int j = colFrom;
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
    static void sparseMultiplyByTransposed(int[] rowStart, int[] columns, float[] values, float[] ht, int k,
                                           float[] out, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            int o = i * k;
            for (int p = 0; p < k; p++) {
                out[o + p] = 0f;
            }
            for (int q = rowStart[i]; q < rowStart[i + 1]; q++) {
                float v = values[q];
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
    static void sparseMultiplyTransposedBy(int[] tRowStart, int[] tColumns, float[] tValues, float[] w, int k,
                                           int m, float[] out, int colFrom, int colTo) {
        float[] acc = new float[k];
        for (int j = colFrom; j < colTo; j++) {
            java.util.Arrays.fill(acc, 0f);
            for (int q = tRowStart[j]; q < tRowStart[j + 1]; q++) {
                float v = tValues[q];
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
}
