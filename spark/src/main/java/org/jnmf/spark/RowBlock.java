package org.jnmf.spark;

import java.io.Serializable;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.SparseMatrix;

/**
 * Consecutive rows [firstRow, firstRow + rows) of V, dense (row-major) or sparse (CSR): the unit a
 * partition holds, next to the same rows of W.
 */
final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final long firstRow;
    final int rows;
    final int cols;
    /** Dense: rows×cols row-major values; sparse: the CSR values. */
    final double[] values;
    /** Sparse only (null when dense): CSR row starts (rows + 1) and column indices. */
    final int[] rowStart;
    final int[] columns;
    /** Dense only: the block's rows of an explicit mask (1 observed, 0 missing), row-major; null without one. */
    final double[] mask;

    private RowBlock(long firstRow, int rows, int cols, double[] values, int[] rowStart, int[] columns,
                     double[] mask) {
        this.mask = mask;
        this.firstRow = firstRow;
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.rowStart = rowStart;
        this.columns = columns;
    }

    static RowBlock dense(long firstRow, int rows, int cols, double[] values) {
        return new RowBlock(firstRow, rows, cols, values, null, null, null);
    }

    static RowBlock masked(long firstRow, int rows, int cols, double[] values, double[] mask) {
        return new RowBlock(firstRow, rows, cols, values, null, null, mask);
    }

    static RowBlock sparse(long firstRow, int rows, int cols, int[] rowStart, int[] columns, double[] values) {
        return new RowBlock(firstRow, rows, cols, values, rowStart, columns, null);
    }

    boolean isSparse() {
        return rowStart != null;
    }

    /** The block as a jnmf matrix (wrapping, not copying, the arrays). */
    Matrix toMatrix() {
        return isSparse() ? SparseMatrix.ofCsr(rows, cols, rowStart, columns, values)
                : DenseMatrix.wrap(rows, cols, values);
    }

    /** Σ of the entries in row order, as {@code Validation.checkNonNegative} adds them. */
    double sum() {
        double s = 0;
        for (double x : values) {
            s += x;
        }
        return s;
    }
}
