package org.jnmf.analysis;

import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.NmfResult;
import org.jnmf.SparseMatrix;

/**
 * How good and how readable a factorisation is:
 * <ul>
 *   <li>explained variance: 1 − ‖V − WH‖²_F / ‖V − v̄‖²_F, with v̄ the mean of all entries of V, so 0 for
 *       the best constant matrix and 1 for an exact fit;</li>
 *   <li>Hoyer's sparseness (Hoyer, JMLR 5, 2004) of a vector x of length n, (√n − ‖x‖₁/‖x‖₂) / (√n − 1):
 *       0 when all entries are equal, 1 when only one is non-zero.</li>
 * </ul>
 */
public final class Quality {
    private Quality() {
    }

    /**
     * The explained variance of a fit of {@code v}, from its relative error ‖V − WH‖_F / ‖V‖_F and one pass
     * over V; NaN when V is constant, where it is undefined.
     */
    public static double explainedVariance(Matrix v, NmfResult result) {
        double sum = 0;
        double squares = 0;
        if (v instanceof SparseMatrix s) {
            for (double x : s.values()) {
                sum += x;
                squares += x * x;
            }
        } else {
            DenseMatrix d = (DenseMatrix) v;
            double[] row = new double[d.cols()];
            for (int i = 0; i < d.rows(); i++) {
                d.copyRow(i, row);
                for (double x : row) {
                    sum += x;
                    squares += x * x;
                }
            }
        }
        double count = (double) v.rows() * v.cols();
        double total = squares - sum * sum / count;
        double residual = result.relativeError() * result.relativeError() * squares;
        return total > 0 ? 1 - residual / total : Double.NaN;
    }

    /** Hoyer's sparseness of {@code x}; NaN for a zero vector or one of length 1, where it is undefined. */
    public static double hoyer(double[] x) {
        int n = x.length;
        double l1 = 0;
        double l2 = 0;
        for (double v : x) {
            l1 += Math.abs(v);
            l2 += v * v;
        }
        if (n < 2 || l2 == 0) {
            return Double.NaN;
        }
        double root = Math.sqrt(n);
        return (root - l1 / Math.sqrt(l2)) / (root - 1);
    }

    /** The mean Hoyer sparseness of the columns of W (each basis vector); zero columns are left out. */
    public static double sparsenessOfColumns(DenseMatrix w) {
        double[][] t = transpose(w.toArray());
        return meanOf(t);
    }

    /** The mean Hoyer sparseness of the rows of H (each component's coefficients); zero rows are left out. */
    public static double sparsenessOfRows(DenseMatrix h) {
        return meanOf(h.toArray());
    }

    private static double meanOf(double[][] vectors) {
        double sum = 0;
        int count = 0;
        for (double[] v : vectors) {
            double s = hoyer(v);
            if (!Double.isNaN(s)) {
                sum += s;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    static double[][] transpose(double[][] a) {
        int rows = a.length;
        int cols = rows == 0 ? 0 : a[0].length;
        double[][] t = new double[cols][rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }
}
