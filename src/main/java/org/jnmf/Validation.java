package org.jnmf;

/** Checks at the public boundary; kernels trust what passes. */
final class Validation {
    private Validation() {
    }

    /** The sum and the largest of a matrix's entries, from {@link #scan}. */
    record Entries(double sum, double largest) {
    }

    /**
     * Checks that every entry is finite and ≥ 0 and returns their sum.
     *
     * @throws IllegalArgumentException naming the first offending entry (0-based row and column)
     */
    static double checkNonNegative(Matrix v) {
        return scan(v).sum();
    }

    /**
     * Checks that every entry is finite and ≥ 0, and returns their sum and their largest, in one pass.
     *
     * @throws IllegalArgumentException naming the first offending entry (0-based row and column)
     */
    static Entries scan(Matrix v) {
        double sum = 0;
        double largest = 0;
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
                    largest = Math.max(largest, x);
                }
            }
            return new Entries(sum, largest);
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
                largest = Math.max(largest, x);
            }
        }
        return new Entries(sum, largest);
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

    /**
     * Refuses a rows×cols V whose largest entry ({@code largest}, from {@link #scan}) is so large that the
     * products a fit forms (V·Hᵀ, with factors of the order of √max(V), summed over up to max(n, m) terms)
     * would overflow the working precision: for
     * float32 that is from about 1e19 up, for float64 about 1e200. Likewise when it is so small that those
     * products sink below the normal range (float32: under about 1e-21), where they lose their digits and
     * the fit stalls at zero factors. Refusing up front, with the fix, replaces factors full of NaN or zeros.
     */
    static void checkRange(double largest, int rows, int cols, Precision precision) {
        double limit = precision == Precision.SINGLE ? Float.MAX_VALUE : Double.MAX_VALUE;
        double reach = Math.pow(largest, 1.5) * Math.max(rows, cols) * 16;
        boolean single = precision == Precision.SINGLE;
        double smallest = (single ? Float.MIN_NORMAL : Double.MIN_NORMAL) * 0x1p23;
        if (largest > 0 && Math.pow(largest, 1.5) < smallest) {
            double scale = Math.pow(10, -Math.floor(Math.log10(largest)));
            throw new IllegalArgumentException("V's largest entry, " + largest + ", is too small for "
                    + (single ? "float32" : "float64") + " arithmetic: the products a fit forms would fall below"
                    + " its normal range and lose their digits" + (single ? ". Fit in double precision"
                    + " (--precision double), or multiply" : ". Multiply") + " V by a constant first (e.g. " + scale
                    + "; W·H scales by the same factor)");
        }
        if (reach > limit) {
            double scale = Math.pow(10, Math.floor(Math.log10(largest)));
            throw new IllegalArgumentException("V's largest entry, " + largest + ", is too large for "
                    + (precision == Precision.SINGLE ? "float32" : "float64") + " arithmetic: the products a fit"
                    + " forms would reach about " + String.format(java.util.Locale.ROOT, "%.1e", reach)
                    + ", beyond the largest " + (precision == Precision.SINGLE ? "float32 (3.4e38)" : "float64 (1.8e308)")
                    + (precision == Precision.SINGLE ? ". Fit in double precision (--precision double), or divide"
                    : ". Divide") + " V by a constant first (e.g. " + scale + "; W·H scales by the same factor)");
        }
    }

    /**
     * Refuses a fit whose factors and work matrices cannot fit in the heap besides V, before any of them
     * is allocated: the initial factors (float64), W and H, the products V·Hᵀ and Wᵀ·V (and, for MU, W·HHᵀ
     * and WᵀW·H), and a copy of a dense V in another precision. GPU memory is checked by the cuda backend
     * as it allocates, before the first iteration.
     */
    static void checkHeap(Matrix v, int k, Precision precision, Algorithm algorithm) {
        long n = v.rows();
        long m = v.cols();
        long factors = (n + m) * k;
        long work = factors * (algorithm == Algorithm.MULTIPLICATIVE ? 2 : 1) + 2L * k * k;
        // An off-heap V is converted off the heap, or on the way to the device, not into a heap copy.
        long copy = v instanceof DenseMatrix d && !d.offHeap() && v.precision() != precision ? n * m : 0;
        long bytes = 8 * factors + (factors + work + copy) * precision.bytes();
        MatrixTooLargeException.requireHeap(bytes, "a rank-" + k + " fit of a " + n + "×" + m + " matrix (W, H"
                + " and the work matrices" + (copy > 0 ? ", and V in " + precision.label() + " precision" : "") + ")");
    }

    private static IllegalArgumentException offending(double x, int i, int j) {
        String what = Double.isNaN(x) ? "a NaN" : Double.isInfinite(x) ? "an infinite" : "a negative";
        return new IllegalArgumentException("V has " + what + " entry (" + x + ") at row " + i + ", column " + j
                + " (0-based); NMF needs every entry finite and ≥ 0. Clean or shift the data first"
                + (Double.isNaN(x) ? ", or, if NaN marks a missing value, leave such entries out of the fit"
                + " (--missing nan; NmfOptions.Builder.missing(Missing.NAN))." : "."));
    }
}
