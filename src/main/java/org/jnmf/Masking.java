package org.jnmf;

/**
 * The observed entries of V under {@link NmfOptions#missing()} or {@link NmfOptions#mask()}: V with its
 * missing entries set to 0, the 0/1 mask M of observed entries and its complement 1 − M, all dense. Public
 * for the distributed fit (jnmf-spark), whose executors mask their row blocks the same way.
 */
public final class Masking {
    private Masking() {
    }

    /**
     * @param values     V with missing entries 0
     * @param mask       M: 1 where observed
     * @param complement 1 − M
     * @param observed   the number of observed entries
     * @param sum        the sum of the observed entries
     */
    public record Observed(DenseMatrix values, DenseMatrix mask, DenseMatrix complement, long observed, double sum) {
    }

    /** The observed part of V, or null when every entry is observed. */
    static Observed of(Matrix v, NmfOptions options) {
        Matrix explicit = options.mask();
        Missing missing = options.missing();
        if (explicit == null && missing == Missing.NONE) {
            return null;
        }
        if (options.beta() != 2) {
            throw new IllegalArgumentException("missing values work with the Frobenius loss only; drop the loss"
                    + " option (" + options.lossLabel() + ") or the missing-value option");
        }
        Observed o = of(v, explicit, missing);
        if (o.observed() == 0) {
            throw new IllegalArgumentException("every entry of V is missing; there is nothing to fit");
        }
        return o;
    }

    /**
     * A block of V's rows with its missing entries as {@code missing} says (the distributed fit's executors):
     * as {@link #of(Matrix, NmfOptions)}, but a block with nothing observed is allowed.
     */
    public static Observed observed(Matrix v, Missing missing) {
        return of(v, null, missing);
    }

    /** A block of V's rows with its rows of an explicit mask (1 observed, 0 missing), as the method above. */
    public static Observed observed(Matrix v, Matrix mask) {
        return of(v, mask, Missing.NONE);
    }

    /** Fails unless the explicit mask has V's shape (rows×cols). */
    public static void checkShape(Matrix mask, long rows, long cols) {
        if (mask.rows() != rows || mask.cols() != cols) {
            throw new IllegalArgumentException("the mask must have V's shape " + rows + "×" + cols + "; got "
                    + mask.rows() + "×" + mask.cols());
        }
    }

    private static Observed of(Matrix v, Matrix explicit, Missing missing) {
        int n = v.rows();
        int m = v.cols();
        if ((long) n * m > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("missing values need V as one dense array, but " + n + "×" + m
                    + " has more than 2³¹ entries; factor a smaller matrix or drop the missing-value option");
        }
        if (explicit != null) {
            checkShape(explicit, n, m);
        }
        DenseMatrix dense = v instanceof SparseMatrix s ? s.toDense(Precision.DOUBLE) : (DenseMatrix) v;
        DenseMatrix maskDense = explicit == null ? null
                : explicit instanceof SparseMatrix s ? s.toDense(Precision.DOUBLE) : (DenseMatrix) explicit;
        double[] values = new double[n * m];
        double[] mask = new double[n * m];
        double[] complement = new double[n * m];
        double[] row = new double[m];
        double[] maskRow = new double[m];
        long observed = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            dense.copyRow(i, row);
            if (maskDense != null) {
                maskDense.copyRow(i, maskRow);
            }
            for (int j = 0; j < m; j++) {
                double x = row[j];
                boolean seen;
                if (maskDense != null) {
                    double b = maskRow[j];
                    if (b != 0 && b != 1) {
                        throw new IllegalArgumentException("the mask must hold only 0 (missing) and 1 (observed); got "
                                + b + " at row " + i + ", column " + j + " (0-based)");
                    }
                    seen = b == 1;
                } else {
                    seen = missing == Missing.NAN ? !Double.isNaN(x) : x != 0;
                }
                if (!seen) {
                    complement[i * m + j] = 1;
                    continue;
                }
                if (!(x >= 0) || x == Double.POSITIVE_INFINITY) {
                    String what = Double.isNaN(x) ? "a NaN" : Double.isInfinite(x) ? "an infinite" : "a negative";
                    throw new IllegalArgumentException("V has " + what + " observed entry (" + x + ") at row " + i
                            + ", column " + j + " (0-based); observed entries must be finite and ≥ 0"
                            + (Double.isNaN(x) && maskDense != null ? " (or marked 0 in the mask)" : ""));
                }
                values[i * m + j] = x;
                mask[i * m + j] = 1;
                observed++;
                sum += x;
            }
        }
        return new Observed(DenseMatrix.wrap(n, m, values), DenseMatrix.wrap(n, m, mask),
                DenseMatrix.wrap(n, m, complement), observed, sum);
    }
}
