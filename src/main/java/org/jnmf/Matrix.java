package org.jnmf;

/**
 * A non-negative data matrix V (n×m) to factor: either {@link DenseMatrix} or {@link SparseMatrix}.
 * Rows are samples (documents, images, genes), columns are features, as in scikit-learn.
 */
public sealed interface Matrix permits DenseMatrix, SparseMatrix {
    /** Number of rows n. */
    int rows();

    /** Number of columns m. */
    int cols();

    /** The entry at row {@code i}, column {@code j}, widened to double. */
    double get(int i, int j);

    /** The precision the values are stored in; a fit follows it unless told otherwise. */
    Precision precision();

    /** Number of stored entries: n·m for dense matrices, the non-zeros for sparse ones. */
    long storedEntries();
}
