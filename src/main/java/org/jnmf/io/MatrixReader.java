package org.jnmf.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.SparseMatrix;

/**
 * Reads a matrix file, choosing the format by the file name's extension:
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>extension</th><th>format</th><th>result</th></tr>
 *   <tr><td>{@code .mtx}</td><td>Matrix Market: {@code coordinate} or {@code array}; {@code real},
 *       {@code integer} or {@code pattern} (every entry 1); {@code general} or {@code symmetric};
 *       1-based indices</td><td>coordinate: {@link SparseMatrix}; array: {@link DenseMatrix} float64</td></tr>
 *   <tr><td>{@code .npy}</td><td>NumPy, format versions 1.0, 2.0 and 3.0; 2-D float32 ({@code <f4})
 *       or float64 ({@code <f8}, big-endian too), C or Fortran order</td>
 *       <td>{@link DenseMatrix} in the file's precision</td></tr>
 *   <tr><td>{@code .csv}, {@code .tsv}</td><td>comma- or tab-separated numbers, one row per line;
 *       optional header row and row-name column (see {@link ReadOptions})</td>
 *       <td>{@link DenseMatrix} float64</td></tr>
 * </table>
 *
 * <p>Each also reads gzip-compressed as {@code .mtx.gz}, {@code .npy.gz}, {@code .csv.gz},
 * {@code .tsv.gz}. Text files may end lines with LF, CRLF or CR; a line over 64 MiB (or a sixteenth of
 * the free heap) is refused rather than read whole. Values are kept exactly as written:
 * negative, NaN or infinite entries are read as they are (the fit rejects them, naming row and column).
 *
 * <p>A malformed file fails with a {@link MatrixFormatException} naming the file, line and column and
 * the fix. Sizes a header declares are checked against the file's length before anything is allocated;
 * for compressed files, storage grows as data arrives instead. Stateless and thread-safe.
 */
public final class MatrixReader {
    /** The extensions read, in the order error messages list them. */
    public static final List<String> EXTENSIONS = List.of(".mtx", ".npy", ".csv", ".tsv",
            ".mtx.gz", ".npy.gz", ".csv.gz", ".tsv.gz");

    private MatrixReader() {
    }

    /** Reads {@code path} with {@link ReadOptions#defaults()}. */
    public static Matrix read(Path path) {
        return read(path, ReadOptions.defaults());
    }

    /**
     * Reads {@code path} as its extension says.
     *
     * @throws MatrixFormatException    if the file is malformed, empty or of an unknown kind
     * @throws IllegalArgumentException if the file does not exist, is a folder or cannot be opened
     * @throws UncheckedIOException     if reading fails for another reason (a disk error)
     */
    public static Matrix read(Path path, ReadOptions options) {
        return readLabeled(path, options).matrix();
    }

    /**
     * Reads {@code path} as its extension says, with the row and column names a CSV/TSV file gives and the
     * reader's notes on what it detected (see {@link ReadOptions}).
     *
     * @throws MatrixFormatException    if the file is malformed, empty or of an unknown kind
     * @throws IllegalArgumentException if the file does not exist, is a folder or cannot be opened
     * @throws UncheckedIOException     if reading fails for another reason (a disk error)
     */
    public static LabeledMatrix readLabeled(Path path, ReadOptions options) {
        String name = path.toString();
        String lower = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gzip = lower.endsWith(".gz");
        String base = gzip ? lower.substring(0, lower.length() - 3) : lower;
        String kind = base.endsWith(".mtx") ? "mtx" : base.endsWith(".npy") ? "npy"
                : base.endsWith(".csv") ? "csv" : base.endsWith(".tsv") ? "tsv" : null;
        if (kind == null) {
            int dot = lower.indexOf('.');
            String extension = dot < 0 ? "no extension" : "extension '" + lower.substring(dot) + "'";
            throw MatrixFormatException.inFile(name, "unknown file type (" + extension + "); jnmf reads "
                    + String.join(", ", EXTENSIONS) + ". Rename the file to its format's extension or convert it");
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(name + " is a folder, not a matrix file; name the file to read");
        }
        long length;
        InputStream raw;
        try {
            length = Files.size(path);
            raw = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("input file " + name + " does not exist"
                    + (path.isAbsolute() ? "" : " (looked in " + Path.of("").toAbsolutePath() + ")")
                    + "; check the path");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open " + name + ": " + e.getMessage()
                    + "; check that the file is readable");
        }
        try (InputStream in = raw) {
            if (length == 0) {
                throw MatrixFormatException.inFile(name, "the file is empty; it should hold a matrix");
            }
            return parse(new Source(name, gzip, gzip ? -1 : length, open(in, gzip, name), gzip ? null : path), kind,
                    options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** Parses an opened source as {@code kind} ({@code mtx}, {@code npy}, {@code csv} or {@code tsv}). */
    static LabeledMatrix parse(Source source, String kind, ReadOptions options) throws IOException {
        return switch (kind) {
            case "mtx" -> LabeledMatrix.of(MatrixMarketReader.read(source));
            case "npy" -> LabeledMatrix.of(NpyReader.read(source));
            case "csv" -> DelimitedReader.read(source, ',', options);
            case "tsv" -> DelimitedReader.read(source, '\t', options);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    static InputStream open(InputStream in, boolean gzip, String name) throws IOException {
        if (!gzip) {
            return new BufferedInputStream(in, 1 << 16);
        }
        try {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (ZipException | java.io.EOFException e) {
            throw MatrixFormatException.inFile(name, "the file is not gzip data although its name ends in .gz ("
                    + e.getMessage() + "); decompress it properly or drop the .gz from its name");
        }
    }
}
