package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The randomized SVD's host-side pieces: Gram–Schmidt and the one-sided Jacobi SVD, checked by their definitions. */
class DenseLinearAlgebraTest {

    @Test
    void orthonormalizedColumnsAreOrthonormalAndSpanTheOriginalColumns() {
        int n = 301;
        int l = 13;
        double[] a = gaussian(n * l, 1);
        for (int i = 0; i < n; i++) { // columns of very different scales, as after power iterations
            for (int j = 0; j < l; j++) {
                a[i * l + j] *= Math.pow(10, -j);
            }
        }
        double[] q = a.clone();
        DenseLinearAlgebra.orthonormalizeColumns(q, n, l);
        assertGramOfColumns(q, n, l, l);
        // Q·Qᵀ·A = A: the columns of A lie in Q's span.
        for (int j = 0; j < l; j++) {
            double scale = Math.pow(10, -j);
            for (int i = 0; i < n; i++) {
                double back = 0;
                for (int p = 0; p < l; p++) {
                    double coefficient = 0;
                    for (int r = 0; r < n; r++) {
                        coefficient += q[r * l + p] * a[r * l + j];
                    }
                    back += q[i * l + p] * coefficient;
                }
                assertEquals(a[i * l + j], back, 1e-12 * scale, "(QQᵀA)[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void aZeroRowStaysZeroAndTheOthersStayOrthonormal() {
        int m = 9;
        double[] a = gaussian(3 * m, 2);
        java.util.Arrays.fill(a, m, 2 * m, 0);
        DenseLinearAlgebra.orthonormalizeRows(a, 3, m);
        for (int c = 0; c < m; c++) {
            assertEquals(0, a[m + c]);
        }
        assertEquals(1, DenseLinearAlgebra.dot(a, 0, a, 0, m), 1e-14);
        assertEquals(1, DenseLinearAlgebra.dot(a, 2 * m, a, 2 * m, m), 1e-14);
        assertEquals(0, DenseLinearAlgebra.dot(a, 0, a, 2 * m, m), 1e-14);
    }

    @Test
    void columnsInTheSpanOfEarlierOnesBecomeZeros() {
        // Columns 3 and 4 are combinations of 1 and 2: rounding is all that projecting leaves of them.
        int n = 6;
        int l = 4;
        double[] a = gaussian(n * l, 5);
        for (int i = 0; i < n; i++) {
            a[i * l + 2] = 2 * a[i * l] - a[i * l + 1];
            a[i * l + 3] = 1e-150 * a[i * l + 1];
        }
        DenseLinearAlgebra.orthonormalizeColumns(a, n, l);
        assertGramOfColumns(a, n, l, 2);
    }

    @Test
    void nndsvdaOfARankTwoMatrixMatchesScikitLearn() {
        // The README's matrix: rank 2, so k + 10 sketch columns hold 2 that matter. Reference: scikit-learn
        // 1.2.1, sklearn.decomposition._nmf._initialize_nmf(V, 2, init="nndsvda", random_state=1).
        double[][] v = {{1, 0, 2, 0}, {0, 3, 0, 1}, {2, 0, 4, 0}, {0, 6, 0, 2}, {1, 3, 2, 1}};
        double[] rowMajor = java.util.Arrays.stream(v).flatMapToDouble(java.util.Arrays::stream).toArray();
        Initializer.Sketch sketch = new Initializer.Sketch() {
            @Override
            public double[] timesTransposed(double[] z, int l) {
                double[] y = new double[5 * l];
                for (int i = 0; i < 5; i++) {
                    for (int p = 0; p < l; p++) {
                        y[i * l + p] = DenseLinearAlgebra.dot(rowMajor, i * 4, z, p * 4, 4);
                    }
                }
                return y;
            }

            @Override
            public double[] transposedTimes(double[] q, int l) {
                double[] z = new double[l * 4];
                for (int p = 0; p < l; p++) {
                    for (int c = 0; c < 4; c++) {
                        for (int i = 0; i < 5; i++) {
                            z[p * 4 + c] += q[i * l + p] * v[i][c];
                        }
                    }
                }
                return z;
            }
        };
        Initializer.Factors start = Initializer.nndsvd(sketch, 5, 4, 2, 28.0 / 20, 1, Initialization.NNDSVDA);
        double[] w = {0.17439292, 0.95429922, 1.10157467, 1.4, 0.34878585, 1.90859845, 2.20314935, 1.4,
            1.2759676, 0.65214443};
        double[] h = {0.2737094, 2.59337939, 0.5474188, 0.8644598, 0.99787047, 1.4, 1.99574094, 1.4};
        assertArrayEquals(w, start.w(), 1e-8);
        assertArrayEquals(h, start.h(), 1e-8);
    }

    @Test
    void jacobiSvdReconstructsTheMatrixWithKnownSingularValues() {
        int l = 7;
        int m = 523;
        double[] expected = {50, 20, 5, 1, 0.1, 1e-3, 1e-6};
        double[] u = gaussian(l * l, 3);
        DenseLinearAlgebra.orthonormalizeColumns(u, l, l);
        double[] vt = gaussian(l * m, 4);
        DenseLinearAlgebra.orthonormalizeRows(vt, l, m);
        double[] b = new double[l * m];
        for (int i = 0; i < l; i++) {
            for (int c = 0; c < m; c++) {
                double s = 0;
                for (int p = 0; p < l; p++) {
                    s += u[i * l + p] * expected[p] * vt[p * m + c];
                }
                b[i * m + c] = s;
            }
        }
        DenseLinearAlgebra.Svd svd = DenseLinearAlgebra.svdOfWide(b, l, m);
        for (int p = 0; p < l; p++) {
            assertEquals(expected[p], svd.s()[p], 1e-12 * expected[0], "σ" + p);
        }
        double[] back = new double[l * m];
        for (int i = 0; i < l; i++) {
            for (int c = 0; c < m; c++) {
                for (int p = 0; p < l; p++) {
                    back[i * m + c] += svd.u()[i * l + p] * svd.s()[p] * svd.vt()[p * m + c];
                }
            }
        }
        assertArrayEquals(b, back, 1e-12 * expected[0]);
        for (int p = 0; p < l; p++) {
            for (int q = 0; q < l; q++) {
                double rowsDot = DenseLinearAlgebra.dot(svd.vt(), p * m, svd.vt(), q * m, m);
                assertEquals(p == q ? 1 : 0, rowsDot, 1e-9, "VᵀV[" + p + "][" + q + "]");
                double columnsDot = 0;
                for (int i = 0; i < l; i++) {
                    columnsDot += svd.u()[i * l + p] * svd.u()[i * l + q];
                }
                assertEquals(p == q ? 1 : 0, columnsDot, 1e-12, "UᵀU[" + p + "][" + q + "]");
            }
        }
    }

    @Test
    void dotSumsEveryElementIncludingTheTail() {
        for (int length = 0; length <= 9; length++) {
            double[] x = new double[length + 2];
            double[] y = new double[length + 3];
            double expected = 0;
            for (int c = 0; c < length; c++) {
                x[c + 2] = c + 1;
                y[c + 3] = 2 * c - 3;
                expected += (c + 1) * (2.0 * c - 3);
            }
            assertEquals(expected, DenseLinearAlgebra.dot(x, 2, y, 3, length), 0, "length " + length);
        }
        assertTrue(Double.isNaN(DenseLinearAlgebra.dot(new double[] {Double.NaN}, 0, new double[] {1}, 0, 1)));
    }

    /** QᵀQ of the row-major n×l q is the identity on its first {@code unit} columns and zero elsewhere. */
    private static void assertGramOfColumns(double[] q, int n, int l, int unit) {
        for (int p = 0; p < l; p++) {
            for (int j = 0; j < l; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += q[i * l + p] * q[i * l + j];
                }
                assertEquals(p == j && p < unit ? 1 : 0, s, 1e-12, "QᵀQ[" + p + "][" + j + "]");
            }
        }
    }

    private static double[] gaussian(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[count];
        for (int i = 0; i < count; i++) {
            x[i] = random.nextGaussian();
        }
        return x;
    }
}
