package org.jnmf.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;

/**
 * Writes dense matrices as NumPy {@code .npy} (format 1.0, C order, little-endian, in the matrix's own
 * precision: {@code <f4} or {@code <f8}) or as CSV/TSV text (values as {@link Double#toString} or
 * {@link Float#toString} write them, which read back to the same bits). Every file is written through
 * {@link AtomicFiles}, so a failure leaves no partial file. Stateless and thread-safe.
 */
public final class MatrixWriter {
    private MatrixWriter() {
    }

    /**
     * Writes {@code m} to {@code target} in the format its extension names ({@code .npy}, {@code .csv}
     * or {@code .tsv}), atomically.
     *
     * @throws IllegalArgumentException for another extension
     * @throws UncheckedIOException     if writing fails
     */
    public static void write(DenseMatrix m, Path target) {
        AtomicFiles.write(target, contentFor(m, target));
    }

    /** Writes {@code m} as {@code .npy}, atomically, whatever the name. */
    public static void writeNpy(DenseMatrix m, Path target) {
        AtomicFiles.write(target, npy(m));
    }

    /** Writes {@code m} as comma-separated text without a header, atomically, whatever the name. */
    public static void writeCsv(DenseMatrix m, Path target) {
        AtomicFiles.write(target, delimited(m, ','));
    }

    /** Writes {@code text} as UTF-8 to {@code target}, atomically (for summaries such as {@code summary.json}). */
    public static void writeText(Path target, String text) {
        AtomicFiles.writeString(target, text);
    }

    /** The content of {@code m} in the format {@code target}'s extension names, for {@link AtomicFiles#writeAll}. */
    public static AtomicFiles.Content contentFor(DenseMatrix m, Path target) {
        char delimiter = delimiterFor(target);
        return delimiter == NPY ? npy(m) : delimited(m, delimiter);
    }

    /** What {@link #delimiterFor} says for a {@code .npy} target. */
    private static final char NPY = 0;

    /** The field delimiter {@code target}'s extension asks for ({@code .csv}, {@code .tsv}), or {@link #NPY}. */
    private static char delimiterFor(Path target) {
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            return NPY;
        }
        if (name.endsWith(".csv")) {
            return ',';
        }
        if (name.endsWith(".tsv")) {
            return '\t';
        }
        throw new IllegalArgumentException("cannot write " + target + ": jnmf writes .npy, .csv and .tsv; use one"
                + " of those extensions");
    }

    /**
     * As {@link #contentFor(DenseMatrix, Path)}, with names: a CSV/TSV file gets a header row of the column
     * names (its corner empty when there are row names, as R's {@code write.csv} writes it) and a first
     * column of the row names, every name in double quotes, so that jnmf, R and pandas read them back as
     * names. An empty list means no names; a {@code .npy} file has no place for them.
     */
    public static AtomicFiles.Content contentFor(DenseMatrix m, Path target, List<String> rowNames,
                                                 List<String> columnNames) {
        char delimiter = delimiterFor(target);
        if ((rowNames.isEmpty() && columnNames.isEmpty()) || delimiter == NPY) {
            return contentFor(m, target);
        }
        if (!rowNames.isEmpty() && rowNames.size() != m.rows()) {
            throw new IllegalArgumentException(rowNames.size() + " row names for " + m.rows() + " rows");
        }
        if (!columnNames.isEmpty() && columnNames.size() != m.cols()) {
            throw new IllegalArgumentException(columnNames.size() + " column names for " + m.cols() + " columns");
        }
        return out -> writeDelimited(m, out, delimiter, rowNames, columnNames);
    }

    /** {@code m} as a NumPy {@code .npy} file. */
    public static AtomicFiles.Content npy(DenseMatrix m) {
        return out -> writeNpy(m, out);
    }

    /** {@code m} as text, one row per line, values separated by {@code delimiter}, lines ending in LF. */
    public static AtomicFiles.Content delimited(DenseMatrix m, char delimiter) {
        return out -> writeDelimited(m, out, delimiter, List.of(), List.of());
    }

    private static void writeNpy(DenseMatrix m, OutputStream out) throws IOException {
        boolean single = m.precision() == Precision.SINGLE;
        String dict = "{'descr': '" + (single ? "<f4" : "<f8") + "', 'fortran_order': False, 'shape': ("
                + m.rows() + ", " + m.cols() + "), }";
        // NumPy pads the header with spaces and a newline so that the data starts at a multiple of 64.
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(total - unpadded)).append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer prefix = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        prefix.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        prefix.putShort((short) headerBytes.length);
        out.write(prefix.array());
        out.write(headerBytes);

        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        if (m.offHeap()) {
            double[] row = new double[m.cols()];
            for (int i = 0; i < m.rows(); i++) {
                m.copyRow(i, row);
                for (double v : row) {
                    if (buffer.remaining() < Double.BYTES) {
                        drain(buffer, out);
                    }
                    if (single) {
                        buffer.putFloat((float) v);
                    } else {
                        buffer.putDouble(v);
                    }
                }
            }
            drain(buffer, out);
            return;
        }
        for (int b = 0; b < m.blockCount(); b++) {
            if (single) {
                for (float v : m.floatBlock(b)) {
                    if (buffer.remaining() < Float.BYTES) {
                        drain(buffer, out);
                    }
                    buffer.putFloat(v);
                }
            } else {
                for (double v : m.doubleBlock(b)) {
                    if (buffer.remaining() < Double.BYTES) {
                        drain(buffer, out);
                    }
                    buffer.putDouble(v);
                }
            }
        }
        drain(buffer, out);
    }

    private static void drain(ByteBuffer buffer, OutputStream out) throws IOException {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
    }

    private static void writeDelimited(DenseMatrix m, OutputStream out, char delimiter, List<String> rowNames,
                                       List<String> columnNames) throws IOException {
        boolean single = m.precision() == Precision.SINGLE;
        double[] row = new double[m.cols()];
        StringBuilder line = new StringBuilder();
        if (!columnNames.isEmpty() || !rowNames.isEmpty()) {
            if (!rowNames.isEmpty()) {
                line.append("\"\"").append(delimiter);
            }
            for (int j = 0; j < m.cols(); j++) {
                if (j > 0) {
                    line.append(delimiter);
                }
                quote(columnNames.isEmpty() ? "V" + (j + 1) : columnNames.get(j), line);
            }
            line.append('\n');
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < m.rows(); i++) {
            m.copyRow(i, row);
            line.setLength(0);
            if (!rowNames.isEmpty()) {
                quote(rowNames.get(i), line);
                line.append(delimiter);
            }
            for (int j = 0; j < row.length; j++) {
                if (j > 0) {
                    line.append(delimiter);
                }
                if (single) {
                    line.append((float) row[j]);
                } else {
                    line.append(row[j]);
                }
            }
            line.append('\n');
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A name in double quotes, its own quotes doubled (RFC 4180); line breaks, which no field may hold, as spaces. */
    private static void quote(String name, StringBuilder line) {
        line.append('"').append(name.replace("\"", "\"\"").replace('\n', ' ').replace('\r', ' ')).append('"');
    }
}
