package org.jnmf;

/** Checks at the public boundary; kernels trust what passes. */
final class Validation {
    private Validation() {
    }

    /**
     * Checks that every entry is finite and ≥ 0 and returns their sum.
     *
     * @throws IllegalArgumentException naming the first offending entry (0-based row and column)
     */
    static double checkNonNegative(Matrix v) {
        double sum = 0;
        if (v instanceof SparseMatrix s) {
            int[] rowStart = s.rowStart();
            double[] values = s.values();
            for (int i = 0; i < s.rows(); i++) {
                for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                    double x = values[p];
                    if (!(x >= 0) || x == Double.POSITIVE_INFINITY) {
                        throw offending(x, i, s.columnIndices()[p]);
                    }
                    sum += x;
                }
            }
            return sum;
        }
        DenseMatrix d = (DenseMatrix) v;
        double[] row = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            d.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                double x = row[j];
                if (!(x >= 0) || x == Double.POSITIVE_INFINITY) {
                    throw offending(x, i, j);
                }
                sum += x;
            }
        }
        return sum;
    }

    private static IllegalArgumentException offending(double x, int i, int j) {
        String what = Double.isNaN(x) ? "a NaN" : Double.isInfinite(x) ? "an infinite" : "a negative";
        return new IllegalArgumentException("V has " + what + " entry (" + x + ") at row " + i + ", column " + j
                + " (0-based); NMF needs every entry finite and ≥ 0. Clean or shift the data first.");
    }
}
