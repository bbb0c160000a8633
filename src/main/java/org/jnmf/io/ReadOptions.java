package org.jnmf.io;

/**
 * How to read CSV and TSV files (other formats ignore these). Immutable.
 *
 * <p>By default the reader decides from the file whether its first row is a header and its first column
 * row names (see {@link DelimitedReader}), and says in {@link LabeledMatrix#notes()} what it guessed;
 * {@link #withHeader(boolean)} and {@link #withRowNames(boolean)} decide instead, whatever the file holds.
 * Missing values ({@code NA}, empty fields) are errors unless {@link #withMissingValues(boolean)} allows them.
 */
public final class ReadOptions {
    private static final ReadOptions DEFAULTS = new ReadOptions(null, null, false);

    private final Boolean header;
    private final Boolean rowNames;
    private final boolean missingValues;

    private ReadOptions(Boolean header, Boolean rowNames, boolean missingValues) {
        this.header = header;
        this.rowNames = rowNames;
        this.missingValues = missingValues;
    }

    /** Header and row names detected from the file; missing values refused. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** These options, with the first row taken as column names ({@code true}) or as data ({@code false}). */
    public ReadOptions withHeader(boolean header) {
        return new ReadOptions(header, rowNames, missingValues);
    }

    /** These options, with the first column taken as row names ({@code true}) or as data ({@code false}). */
    public ReadOptions withRowNames(boolean rowNames) {
        return new ReadOptions(header, rowNames, missingValues);
    }

    /**
     * These options, with missing values read as NaN ({@code true}): empty fields (pandas' {@code to_csv}),
     * {@code NA} (R's {@code write.csv}), {@code N/A}, {@code #N/A}, {@code null}. A fit leaves NaN entries
     * out with {@code --missing nan} ({@link org.jnmf.Missing#NAN}).
     */
    public ReadOptions withMissingValues(boolean missingValues) {
        return new ReadOptions(header, rowNames, missingValues);
    }

    /** Whether the first row is column names (true), data (false), or to be detected (null). */
    public Boolean header() {
        return header;
    }

    /** Whether the first column is row names (true), data (false), or to be detected (null). */
    public Boolean rowNames() {
        return rowNames;
    }

    /** Whether missing values read as NaN instead of being errors. */
    public boolean missingValues() {
        return missingValues;
    }

    @Override
    public String toString() {
        return "ReadOptions[header=" + (header == null ? "detect" : header) + ", rowNames="
                + (rowNames == null ? "detect" : rowNames) + ", missingValues=" + missingValues + "]";
    }
}
