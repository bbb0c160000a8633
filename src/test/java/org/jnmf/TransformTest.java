package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * transform / transformColumns: the factor a fit with the other factor frozen converges to, and exact NNLS
 * (KKT) for it.
 */
class TransformTest {
    private static final DenseMatrix V = TestMatrices.lowRank(40, 25, 4, 0.3, 41);
    private static final NmfModel MODEL;

    static {
        NmfOptions options = NmfOptions.builder(4).seed(1).maxIterations(50).threads(1).build();
        MODEL = NmfModel.of(Nmf.fit(V, options), options);
    }

    /**
     * The slow, obvious alternative: HALS sweeps over the rows of X (k×r) with A fixed, min ‖A·X − B‖ given
     * G = AᵀA and C = AᵀB, run until nothing moves. Exact block coordinate descent on a strictly convex
     * problem, so it converges to the same unique minimiser.
     */
    private static double[] frozenFit(double[] g, double[] c, int k, int r) {
        double[] x = new double[k * r];
        for (int sweep = 0; sweep < 20000; sweep++) {
            double change = 0;
            for (int a = 0; a < k; a++) {
                for (int j = 0; j < r; j++) {
                    double grad = -c[a * r + j];
                    for (int b = 0; b < k; b++) {
                        grad += g[a * k + b] * x[b * r + j];
                    }
                    double next = Math.max(0, x[a * r + j] - grad / g[a * k + a]);
                    change = Math.max(change, Math.abs(next - x[a * r + j]));
                    x[a * r + j] = next;
                }
            }
            if (change < 1e-15) {
                break;
            }
        }
        return x;
    }

    @Test
    void transformColumnsIsTheHOfAFitWithWFrozen() {
        DenseMatrix newColumns = TestMatrices.lowRank(40, 12, 4, 0.5, 42);
        DenseMatrix h = MODEL.transformColumns(newColumns);
        assertEquals(4, h.rows());
        assertEquals(12, h.cols());
        double[] w = MODEL.w().toDoubleArray();
        double[] x = newColumns.toDoubleArray();
        int n = 40;
        int k = 4;
        int q = 12;
        double[] g = new double[k * k];
        double[] c = new double[k * q];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    g[a * k + b] += w[i * k + a] * w[i * k + b];
                }
                for (int j = 0; j < q; j++) {
                    c[a * q + j] += w[i * k + a] * x[i * q + j];
                }
            }
        }
        double[] expected = frozenFit(g, c, k, q);
        assertTrue(TestMatrices.relativeDifference(h.toDoubleArray(), expected) < 1e-9,
                "differs by " + TestMatrices.relativeDifference(h.toDoubleArray(), expected));
        NnlsTest.assertKkt(new NnlsTest.Problem(g, c, k, q), h.toDoubleArray(), 1e-10);
    }

    @Test
    void transformIsTheWOfAFitWithHFrozen() {
        // The same rows dense and sparse take both paths through the cross products.
        DenseMatrix newRows = TestMatrices.lowRank(15, 25, 4, 0.5, 43);
        DenseMatrix w = MODEL.transform(newRows);
        assertEquals(15, w.rows());
        assertEquals(4, w.cols());
        assertEquals(w, MODEL.transform(SparseMatrix.fromDense(newRows)));
        double[] h = MODEL.h().toDoubleArray();
        double[] x = newRows.toDoubleArray();
        int m = 25;
        int k = 4;
        int p = 15;
        // Wᵀ solves min ‖Hᵀ·Wᵀ − Xᵀ‖: G = H·Hᵀ, C = H·Xᵀ (k×p).
        double[] g = new double[k * k];
        double[] c = new double[k * p];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                for (int j = 0; j < m; j++) {
                    g[a * k + b] += h[a * m + j] * h[b * m + j];
                }
            }
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < m; j++) {
                    c[a * p + i] += h[a * m + j] * x[i * m + j];
                }
            }
        }
        double[] expected = frozenFit(g, c, k, p);
        double[] got = new double[k * p];
        for (int i = 0; i < p; i++) {
            for (int a = 0; a < k; a++) {
                got[a * p + i] = w.get(i, a);
            }
        }
        assertTrue(TestMatrices.relativeDifference(got, expected) < 1e-9,
                "differs by " + TestMatrices.relativeDifference(got, expected));
        NnlsTest.assertKkt(new NnlsTest.Problem(g, c, k, p), got, 1e-10);
    }

    @Test
    void aFloat32ModelTransformsInFloat32() {
        NmfOptions options = NmfOptions.builder(3).maxIterations(10).precision(Precision.SINGLE).threads(1).build();
        NmfModel model = NmfModel.of(Nmf.fit(V, options), options);
        assertEquals(Precision.SINGLE, model.transform(V).precision());
    }

    @Test
    void shapesAndNegativeEntriesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MODEL.transform(TestMatrices.lowRank(5, 24, 2, 0, 1)));
        assertTrue(e.getMessage().contains("24 columns") && e.getMessage().contains("25"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MODEL.transformColumns(TestMatrices.lowRank(39, 5, 2, 0, 1)));
        assertTrue(e.getMessage().contains("39 rows") && e.getMessage().contains("40"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MODEL.transform(DenseMatrix.of(new double[][] {negativeRow(25)})));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    private static double[] negativeRow(int m) {
        double[] row = new double[m];
        row[3] = -1;
        return row;
    }
}
