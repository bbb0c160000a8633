package org.jnmf;

import java.util.Arrays;

/**
 * A sparse matrix in compressed sparse row (CSR) form, as document–term matrices come: row {@code i}'s
 * entries are {@code values[rowStart[i] .. rowStart[i+1])} at columns {@code columns[...]}, columns
 * strictly increasing within a row. Values are held in float64; a fit converts them once to its
 * precision. Immutable.
 */
public final class SparseMatrix implements Matrix {
    private final int rows;
    private final int cols;
    private final int[] rowStart;
    private final int[] columns;
    private final double[] values;
    private final Precision precision;

    private SparseMatrix(int rows, int cols, int[] rowStart, int[] columns, double[] values, Precision precision) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
        this.precision = precision;
    }

    /**
     * Builds a CSR matrix from its three arrays (taken as they are, not copied), checking that they
     * describe a valid matrix.
     */
    public static SparseMatrix ofCsr(int rows, int cols, int[] rowStart, int[] columns, double[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative; got " + rows + "×" + cols);
        }
        if (rowStart.length != rows + 1 || rowStart[0] != 0 || rowStart[rows] != columns.length
                || columns.length != values.length) {
            throw new IllegalArgumentException("CSR arrays are inconsistent: rowStart needs " + (rows + 1)
                    + " entries from 0 to nnz, columns and values nnz entries each");
        }
        for (int i = 0; i < rows; i++) {
            if (rowStart[i] > rowStart[i + 1]) {
                throw new IllegalArgumentException("CSR rowStart decreases at row " + i);
            }
            for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                int j = columns[p];
                if (j < 0 || j >= cols) {
                    throw new IllegalArgumentException("column index " + j + " in row " + i
                            + " is outside 0.." + (cols - 1));
                }
                if (p > rowStart[i] && columns[p - 1] >= j) {
                    throw new IllegalArgumentException("columns of row " + i
                            + " must be strictly increasing (duplicate or unsorted entry at column " + j + ")");
                }
            }
        }
        return new SparseMatrix(rows, cols, rowStart, columns, values, Precision.DOUBLE);
    }

    /**
     * Builds a CSR matrix from coordinate triplets (any order). A position given twice is an error:
     * sum duplicates beforehand if that is what they mean.
     */
    public static SparseMatrix ofTriplets(int rows, int cols, int[] rowIndex, int[] colIndex, double[] value) {
        int nnz = value.length;
        if (rowIndex.length != nnz || colIndex.length != nnz) {
            throw new IllegalArgumentException("triplet arrays differ in length: " + rowIndex.length + ", "
                    + colIndex.length + ", " + nnz);
        }
        int[] rowStart = new int[rows + 1];
        for (int p = 0; p < nnz; p++) {
            int i = rowIndex[p];
            if (i < 0 || i >= rows) {
                throw new IllegalArgumentException("row index " + i + " is outside 0.." + (rows - 1));
            }
            if (colIndex[p] < 0 || colIndex[p] >= cols) {
                throw new IllegalArgumentException("column index " + colIndex[p] + " is outside 0.." + (cols - 1));
            }
            rowStart[i + 1]++;
        }
        for (int i = 0; i < rows; i++) {
            rowStart[i + 1] += rowStart[i];
        }
        int[] next = Arrays.copyOf(rowStart, rows);
        int[] columns = new int[nnz];
        double[] values = new double[nnz];
        for (int p = 0; p < nnz; p++) {
            int slot = next[rowIndex[p]]++;
            columns[slot] = colIndex[p];
            values[slot] = value[p];
        }
        sortRows(rows, rowStart, columns, values);
        return ofCsr(rows, cols, rowStart, columns, values);
    }

    private static void sortRows(int rows, int[] rowStart, int[] columns, double[] values) {
        for (int i = 0; i < rows; i++) {
            int from = rowStart[i];
            int to = rowStart[i + 1];
            boolean sorted = true;
            for (int p = from + 1; p < to && sorted; p++) {
                sorted = columns[p - 1] < columns[p];
            }
            if (sorted) {
                continue;
            }
            long[] keyed = new long[to - from];
            for (int p = from; p < to; p++) {
                keyed[p - from] = ((long) columns[p] << 32) | (p - from);
            }
            Arrays.sort(keyed);
            double[] rowValues = Arrays.copyOfRange(values, from, to);
            for (int q = 0; q < keyed.length; q++) {
                columns[from + q] = (int) (keyed[q] >>> 32);
                values[from + q] = rowValues[(int) keyed[q]];
            }
        }
    }

    /** Builds a sparse matrix holding the non-zero entries of a dense one. */
    public static SparseMatrix fromDense(DenseMatrix dense) {
        int rows = dense.rows();
        int cols = dense.cols();
        int[] rowStart = new int[rows + 1];
        int nnz = 0;
        double[] row = new double[cols];
        for (int i = 0; i < rows; i++) {
            dense.copyRow(i, row);
            for (double v : row) {
                if (v != 0) {
                    nnz++;
                }
            }
            rowStart[i + 1] = nnz;
        }
        int[] columns = new int[nnz];
        double[] values = new double[nnz];
        int p = 0;
        for (int i = 0; i < rows; i++) {
            dense.copyRow(i, row);
            for (int j = 0; j < cols; j++) {
                if (row[j] != 0) {
                    columns[p] = j;
                    values[p++] = row[j];
                }
            }
        }
        return new SparseMatrix(rows, cols, rowStart, columns, values, dense.precision());
    }

    /** The transpose, also in CSR form (the CSC form of this matrix). */
    public SparseMatrix transpose() {
        int nnz = values.length;
        int[] tStart = new int[cols + 1];
        for (int p = 0; p < nnz; p++) {
            tStart[columns[p] + 1]++;
        }
        for (int j = 0; j < cols; j++) {
            tStart[j + 1] += tStart[j];
        }
        int[] next = Arrays.copyOf(tStart, cols);
        int[] tColumns = new int[nnz];
        double[] tValues = new double[nnz];
        for (int i = 0; i < rows; i++) {
            for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                int slot = next[columns[p]]++;
                tColumns[slot] = i;
                tValues[slot] = values[p];
            }
        }
        return new SparseMatrix(cols, rows, tStart, tColumns, tValues, precision);
    }

    /** The same entries as a dense matrix (for small matrices and tests). */
    public DenseMatrix toDense(Precision target) {
        DenseMatrix.Builder builder = new DenseMatrix.Builder(rows, cols, target);
        for (int i = 0; i < rows; i++) {
            for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                builder.set(i, columns[p], values[p]);
            }
        }
        return builder.build();
    }

    /** This matrix marked with another precision for the fit to follow (values stay float64). */
    public SparseMatrix withPrecision(Precision target) {
        return target == precision ? this : new SparseMatrix(rows, cols, rowStart, columns, values, target);
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public long storedEntries() {
        return values.length;
    }

    /** Number of stored (non-zero) entries. */
    public int nonZeros() {
        return values.length;
    }

    /** Row pointers: row {@code i} spans {@code [rowStart()[i], rowStart()[i+1])}. Do not modify. */
    public int[] rowStart() {
        return rowStart;
    }

    /** Column index of each stored entry. Do not modify. */
    public int[] columnIndices() {
        return columns;
    }

    /** Value of each stored entry. Do not modify. */
    public double[] values() {
        return values;
    }

    @Override
    public double get(int i, int j) {
        int p = Arrays.binarySearch(columns, rowStart[i], rowStart[i + 1], j);
        return p >= 0 ? values[p] : 0.0;
    }

    @Override
    public String toString() {
        return "SparseMatrix[" + rows + "×" + cols + ", " + values.length + " non-zeros]";
    }
}
