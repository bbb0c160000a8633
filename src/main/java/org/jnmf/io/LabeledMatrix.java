package org.jnmf.io;

import java.util.List;
import java.util.Objects;
import org.jnmf.Matrix;

/**
 * A matrix read from a file with the names the file gave its rows and columns (a CSV/TSV row-name column
 * and header row), and the notes the reader has for the user on how it took them. Formats without names
 * give empty lists.
 *
 * @param matrix      the values
 * @param rowNames    one name per row, or empty when the file names no rows
 * @param columnNames one name per column, or empty when the file names no columns
 * @param notes       what the reader guessed and how to overrule it (e.g. "line 1 read as the header …");
 *                    empty when nothing was guessed
 */
public record LabeledMatrix(Matrix matrix, List<String> rowNames, List<String> columnNames, List<String> notes) {
    public LabeledMatrix {
        Objects.requireNonNull(matrix, "matrix");
        rowNames = List.copyOf(rowNames);
        columnNames = List.copyOf(columnNames);
        notes = List.copyOf(notes);
        if (!rowNames.isEmpty() && rowNames.size() != matrix.rows()) {
            throw new IllegalArgumentException(rowNames.size() + " row names for " + matrix.rows() + " rows");
        }
        if (!columnNames.isEmpty() && columnNames.size() != matrix.cols()) {
            throw new IllegalArgumentException(columnNames.size() + " column names for " + matrix.cols() + " columns");
        }
    }

    /** A matrix without names or notes. */
    public static LabeledMatrix of(Matrix matrix) {
        return new LabeledMatrix(matrix, List.of(), List.of(), List.of());
    }
}
