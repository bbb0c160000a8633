package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Normalised and sorted output: the same W·H, unit columns of W as asked, components by weight. */
class ComponentsTest {
    private static final DenseMatrix V = TestMatrices.lowRank(50, 30, 5, 0.1, 11);

    @ParameterizedTest(name = "{0}, sorted {1}, {2}")
    @CsvSource({"NONE, true, DOUBLE", "L1, false, DOUBLE", "L2, false, DOUBLE", "L1, true, SINGLE", "L2, true, DOUBLE",
        "L2, true, SINGLE"})
    void keepsTheProductAndScalesAndOrdersAsAsked(Normalization norm, boolean sort, Precision precision) {
        NmfOptions.Builder options = NmfOptions.builder(5).seed(2).maxIterations(30).precision(precision)
                .initialization(Initialization.RANDOM).threads(1);
        NmfResult plain = Nmf.fit(V, options.build());
        NmfResult arranged = Nmf.fit(V, options.normalization(norm).sortComponents(sort).build());
        assertEquals(plain.loss(), arranged.loss());
        assertEquals(precision, arranged.w().precision());
        int n = V.rows();
        int m = V.cols();
        int k = 5;
        double[] before = product(plain);
        double[] after = product(arranged);
        double rounding = precision == Precision.SINGLE ? 1e-6 : 1e-14;
        assertTrue(TestMatrices.relativeDifference(after, before) < rounding,
                "W·H moved by " + TestMatrices.relativeDifference(after, before));
        double[] w = arranged.w().toDoubleArray();
        double[] h = arranged.h().toDoubleArray();
        double previousWeight = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double l1 = 0;
            double l2 = 0;
            for (int i = 0; i < n; i++) {
                l1 += w[i * k + j];
                l2 += w[i * k + j] * w[i * k + j];
            }
            double hNorm = 0;
            for (int c = 0; c < m; c++) {
                hNorm += h[j * m + c] * h[j * m + c];
            }
            switch (norm) {
                case L1 -> assertEquals(1, l1, 10 * rounding);
                case L2 -> assertEquals(1, Math.sqrt(l2), 10 * rounding);
                case NONE -> { }
            }
            double weight = Math.sqrt(l2 * hNorm);
            if (sort) {
                assertTrue(weight <= previousWeight * (1 + rounding), "component " + j + " outweighs the one before");
            }
            previousWeight = weight;
        }
        if (!sort && norm != Normalization.NONE) {
            // Unsorted: component j is still component j, only rescaled.
            double[] w0 = plain.w().toDoubleArray();
            for (int i = 0; i < n; i++) {
                double ratio = w[i * k] / w0[i * k];
                if (w0[i * k] > 1e-3) {
                    assertEquals(w[k] / w0[k], ratio, 1e-5 * ratio);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"L1", "L2"})
    void aDeadComponentStaysZero(Normalization norm) {
        // Custom start with a zero column in W: HALS keeps it at zero (its H row gets no gradient from it).
        DenseMatrix w0 = DenseMatrix.of(new double[][] {{1, 0}, {2, 0}, {1, 0}});
        DenseMatrix h0 = DenseMatrix.of(new double[][] {{1, 2}, {3, 4}});
        DenseMatrix v = DenseMatrix.of(new double[][] {{1, 2}, {2, 4}, {1, 2}});
        NmfResult r = Nmf.fit(v, NmfOptions.builder(2).initialFactors(w0, h0).maxIterations(3).normalization(norm)
                .sortComponents(true).threads(1).build());
        double[] w = r.w().toDoubleArray();
        for (double x : w) {
            assertTrue(Double.isFinite(x));
        }
        assertArrayEquals(new double[] {0, 0, 0}, new double[] {w[1], w[3], w[5]});
    }

    private static double[] product(NmfResult r) {
        double[] w = r.w().toDoubleArray();
        double[] h = r.h().toDoubleArray();
        int n = r.w().rows();
        int k = r.rank();
        int m = r.h().cols();
        double[] p = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < m; c++) {
                for (int j = 0; j < k; j++) {
                    p[i * m + c] += w[i * k + j] * h[j * m + c];
                }
            }
        }
        return p;
    }
}
