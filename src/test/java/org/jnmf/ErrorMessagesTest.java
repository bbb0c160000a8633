package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The API's refusals of bad arguments (docs/errors.md lists them): each names the value and the rule. */
class ErrorMessagesTest {
    private static void refused(Executable call, String... phrases) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), () -> "'" + phrase + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void badOptionValues() {
        NmfOptions.Builder b = NmfOptions.builder(2);
        refused(() -> b.maxIterations(-1), "maxIterations must be ≥ 0; got -1");
        refused(() -> b.tolerance(Double.NaN), "tolerance must be a finite number ≥ 0; got NaN");
        refused(() -> b.tolerance(-1e-3), "tolerance must be a finite number ≥ 0; got -0.001");
        refused(() -> b.checkInterval(0), "checkInterval must be at least 1; got 0");
        refused(() -> b.timeLimit(Duration.ZERO), "timeLimit must be positive; got PT0S");
        refused(() -> b.threads(0), "threads must be at least 1; got 0");
        refused(() -> b.floor(Double.POSITIVE_INFINITY), "floor must be a finite number ≥ 0; got Infinity");
        refused(() -> NmfOptions.builder(2).initialization(Initialization.CUSTOM).build(),
                "CUSTOM initialisation needs initialFactors(W, H)");
    }

    @Test
    void badFitArguments() {
        DenseMatrix v = TestMatrices.lowRank(6, 5, 2, 0, 1);
        refused(() -> Nmf.fit(v, NmfOptions.builder(2).initialFactors(ones(5, 2), ones(2, 5)).build()),
                "initial W must be 6×2; got 5×2");
        refused(() -> Nmf.fit(v, NmfOptions.builder(2).initialFactors(ones(6, 2), ones(2, 4)).build()),
                "initial H must be 2×5; got 2×4");
        refused(() -> NmfOptions.builder(2).initialFactors(DenseMatrix.zeros(6, 2, Precision.DOUBLE), ones(2, 5)),
                "the initial W (6×2) is all zeros, and a fit started there stays at W·H = 0");
        refused(() -> Nmf.fit(v, NmfOptions.builder(2).backend("tpu").build()), "unknown backend 'tpu'; use auto or one of");
    }

    private static DenseMatrix ones(int rows, int cols) {
        double[] values = new double[rows * cols];
        java.util.Arrays.fill(values, 1);
        return DenseMatrix.wrap(rows, cols, values);
    }

    @Test
    void badMatrixConstruction() {
        refused(() -> DenseMatrix.of(new double[][] {{1, 2}, {3}}), "row 1 has 1 values but row 0 has 2");
        refused(() -> DenseMatrix.wrap(2, 3, new double[5]), "a 2×3 matrix needs 6 values; got 5");
        refused(() -> DenseMatrix.wrap(-1, 3, new double[0]), "matrix shape must be non-negative; got -1×3");
        refused(() -> SparseMatrix.ofCsr(2, 2, new int[] {0, 1}, new int[] {0}, new double[] {1}),
                "CSR arrays are inconsistent");
        refused(() -> SparseMatrix.ofCsr(2, 2, new int[] {0, 2, 2}, new int[] {1, 1}, new double[] {1, 2}),
                "columns of row 0 must be strictly increasing (duplicate or unsorted entry at column 1)");
        refused(() -> SparseMatrix.ofCsr(1, 2, new int[] {0, 1}, new int[] {2}, new double[] {1}),
                "column index 2 in row 0 is outside 0..1");
        refused(() -> SparseMatrix.ofTriplets(2, 2, new int[] {0}, new int[] {0, 1}, new double[] {1}),
                "triplet arrays differ in length");
        refused(() -> SparseMatrix.ofTriplets(2, 2, new int[] {2}, new int[] {0}, new double[] {1}),
                "row index 2 is outside 0..1");
    }

    @Test
    void aFitWhoseFactorsCannotFitTheHeapIsRefusedBeforeAllocating() {
        int n = 40_000;
        long k = Runtime.getRuntime().maxMemory() / (8L * n) + 1000;
        org.junit.jupiter.api.Assumptions.assumeTrue(k * n < Integer.MAX_VALUE - 16, "the heap is too large to exceed");
        SparseMatrix v = SparseMatrix.ofTriplets(n, 3, new int[] {0}, new int[] {0}, new double[] {1});
        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class,
                () -> Nmf.fit(v, NmfOptions.builder((int) k).initialization(Initialization.RANDOM).build()));
        assertTrue(e.getMessage().startsWith("a rank-" + k + " fit of a 40000×3 matrix (W, H and the work matrices)"
                + " needs "), e.getMessage());
        assertTrue(e.needed() > e.available());
    }

    @Test
    void aMatrixBeyondTheHeapIsRefusedBeforeAllocating() {
        long heap = Runtime.getRuntime().maxMemory();
        int rows = (int) Math.min(Integer.MAX_VALUE - 16, heap / 8 / 1000 + 1000);
        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class,
                () -> new DenseMatrix.Builder(rows, 2000, Precision.DOUBLE));
        assertTrue(e.getMessage().startsWith("a " + rows + "×2000 float64 matrix needs "), e.getMessage());
        assertTrue(e.getMessage().contains("of Java heap but only") && e.getMessage().contains("JNMF_JAVA_OPTS=-Xmx")
                && e.getMessage().contains("sparse (.mtx)"), e.getMessage());
        assertTrue(e.needed() == (long) rows * 2000 * 8 && e.needed() > e.available());
    }
}
