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

    /**
     * Checks that no entry of V is 0 (V already checked ≥ 0).
     *
     * @throws IllegalArgumentException naming the first zero and ending with {@code why}
     */
    static void checkPositive(Matrix v, String why) {
        if (v instanceof SparseMatrix s) {
            int[] rowStart = s.rowStart();
            int[] columns = s.columnIndices();
            for (int i = 0; i < s.rows(); i++) {
                int expected = 0;
                for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                    if (columns[p] != expected || s.values()[p] == 0) {
                        throw zero(columns[p] != expected ? expected : columns[p], i, why);
                    }
                    expected++;
                }
                if (expected < s.cols()) {
                    throw zero(expected, i, why);
                }
            }
            return;
        }
        DenseMatrix d = (DenseMatrix) v;
        double[] row = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            d.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                if (row[j] == 0) {
                    throw zero(j, i, why);
                }
            }
        }
    }

    private static IllegalArgumentException zero(int j, int i, String why) {
        return new IllegalArgumentException("V has a zero at row " + i + ", column " + j + " (0-based); " + why);
    }

    private static IllegalArgumentException offending(double x, int i, int j) {
        String what = Double.isNaN(x) ? "a NaN" : Double.isInfinite(x) ? "an infinite" : "a negative";
        return new IllegalArgumentException("V has " + what + " entry (" + x + ") at row " + i + ", column " + j
                + " (0-based); NMF needs every entry finite and ≥ 0. Clean or shift the data first.");
    }
}
