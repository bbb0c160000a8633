package org.jnmf.io;

/**
 * How to read CSV and TSV files (other formats ignore these). Immutable.
 *
 * <p>Without {@link #withHeader(boolean) header}, the first row is still taken as column names when
 * every one of its fields is non-numeric; without {@link #withRowNames(boolean) rowNames}, the first
 * column is taken as row names when every one of its fields is non-numeric. Otherwise a non-numeric
 * field is an error.
 */
public final class ReadOptions {
    private static final ReadOptions DEFAULTS = new ReadOptions(false, false);

    private final boolean header;
    private final boolean rowNames;

    private ReadOptions(boolean header, boolean rowNames) {
        this.header = header;
        this.rowNames = rowNames;
    }

    /** No header and no row names unless the file shows them (see the class comment). */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** These options, with the first row taken as column names (or not, to detect it). */
    public ReadOptions withHeader(boolean header) {
        return new ReadOptions(header, rowNames);
    }

    /** These options, with the first column taken as row names (or not, to detect it). */
    public ReadOptions withRowNames(boolean rowNames) {
        return new ReadOptions(header, rowNames);
    }

    /** Whether the first row is column names whatever it holds. */
    public boolean header() {
        return header;
    }

    /** Whether the first column is row names whatever it holds. */
    public boolean rowNames() {
        return rowNames;
    }

    @Override
    public String toString() {
        return "ReadOptions[header=" + header + ", rowNames=" + rowNames + "]";
    }
}
