package org.jnmf;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.jnmf.io.AtomicFiles;
import org.jnmf.io.FlatJson;

/**
 * A fitted factorisation V ≈ W·H kept for later use: W (n×k), H (k×m) and what made them (options,
 * final losses, jnmf version) in {@link #metadata()}. {@link #transform} finds W for new rows with H held
 * fixed, and {@link #transformColumns} H for new columns with W held fixed, both exactly, by non-negative
 * least squares ({@link Nnls}), as scikit-learn's {@code NMF.transform} does for rows.
 *
 * <h2>File format (version 1)</h2>
 * All integers little-endian.
 * <pre>
 * offset  size  field
 *      0     8  magic: 0x89 'J' 'N' 'M' 'F' '\r' '\n' 0x1A
 *      8     4  format version (1); later versions keep the magic, this field and the checksum at 32
 *     12     4  n, rows of W (int32 ≥ 1)
 *     16     4  m, columns of H (int32 ≥ 1)
 *     20     4  k, the rank (int32 ≥ 1)
 *     24     4  bytes per value: 4 (float32) or 8 (float64)
 *     28     4  L, length of the header in bytes
 *     32     4  CRC-32 of bytes 0..31
 *     36     L  header: a flat JSON object in UTF-8 (jnmf_version, rows, cols, rank, precision, options,
 *               loss, relative_error, restart_losses, ...)
 *   36+L  n·k·b W, row-major, IEEE 754 values
 *      …  k·m·b H, row-major
 *    end     4  CRC-32 of every byte before it
 * </pre>
 * The fixed fields are checked against the file's length before anything is allocated, so a damaged or
 * foreign file fails with a {@link ModelFormatException} saying what is wrong, never by running out of
 * memory. Files are written atomically.
 *
 * <p>Immutable and thread-safe.
 */
public final class NmfModel {
    /** The current file format version. */
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = {(byte) 0x89, 'J', 'N', 'M', 'F', '\r', '\n', 0x1A};
    static final int FIXED_BYTES = 36;
    /** Headers beyond this are not something jnmf writes. */
    private static final int MAX_HEADER_BYTES = 1 << 24;
    private static final int CHUNK = 1 << 16;

    private final DenseMatrix w;
    private final DenseMatrix h;
    private final Map<String, Object> metadata;

    private NmfModel(DenseMatrix w, DenseMatrix h, Map<String, Object> metadata) {
        this.w = w;
        this.h = h;
        // Through the file's own encoding, so that a model in memory and the same model loaded agree.
        this.metadata = Collections.unmodifiableMap(FlatJson.parse(FlatJson.write(metadata)));
    }

    /** The model of a finished fit, with the options that made it. */
    public static NmfModel of(NmfResult result, NmfOptions options) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("jnmf_version", Version.current());
        meta.put("rows", result.w().rows());
        meta.put("cols", result.h().cols());
        meta.put("rank", result.rank());
        meta.put("precision", result.precision().label());
        meta.put("algorithm", result.algorithm().label());
        meta.put("init", result.initialization().label());
        meta.put("seed", options.seed());
        meta.put("max_iterations", options.maxIterations());
        meta.put("tolerance", options.tolerance());
        meta.put("check_every", options.checkInterval());
        meta.put("floor", options.floor());
        meta.put("loss_function", options.lossLabel());
        meta.put("l1_w", options.l1W());
        meta.put("l2_w", options.l2W());
        meta.put("l1_h", options.l1H());
        meta.put("l2_h", options.l2H());
        meta.put("normalization", options.normalization().label());
        meta.put("sort_components", options.sortComponents());
        meta.put("restarts", options.restarts());
        meta.put("missing", options.mask() != null ? "mask" : options.missing().label());
        meta.put("backend", result.backend());
        meta.put("iterations", result.iterations());
        meta.put("stop_reason", result.stopReason().label());
        meta.put("loss", result.loss());
        meta.put("relative_error", result.relativeError());
        meta.put("restart_losses", result.restartLosses());
        return new NmfModel(result.w(), result.h(), meta);
    }

    /** A model from factors alone (W n×k, H k×m, same precision), with no fit behind it. */
    public static NmfModel of(DenseMatrix w, DenseMatrix h) {
        if (w.cols() != h.rows()) {
            throw new IllegalArgumentException("W has " + w.cols() + " columns but H has " + h.rows()
                    + " rows; they must both be the rank");
        }
        if (w.precision() != h.precision()) {
            throw new IllegalArgumentException("W and H must have the same precision; got " + w.precision().label()
                    + " and " + h.precision().label());
        }
        if (w.rows() == 0 || w.cols() == 0 || h.cols() == 0) {
            throw new IllegalArgumentException("a model needs W and H of at least 1×1; got W " + w.rows() + "×"
                    + w.cols() + " and H " + h.rows() + "×" + h.cols());
        }
        Validation.checkNonNegative(w);
        Validation.checkNonNegative(h);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("jnmf_version", Version.current());
        meta.put("rows", w.rows());
        meta.put("cols", h.cols());
        meta.put("rank", w.cols());
        meta.put("precision", w.precision().label());
        return new NmfModel(w, h, meta);
    }

    /** A model of W and H with extra fields in its header (checkpoints use this). */
    static NmfModel withMetadata(DenseMatrix w, DenseMatrix h, Map<String, Object> extra) {
        NmfModel plain = of(w, h);
        Map<String, Object> meta = new LinkedHashMap<>(plain.metadata);
        meta.putAll(extra);
        return new NmfModel(w, h, meta);
    }

    /** W (n×k). */
    public DenseMatrix w() {
        return w;
    }

    /** H (k×m). */
    public DenseMatrix h() {
        return h;
    }

    /** n, the number of rows of the data the model was fitted to. */
    public int rows() {
        return w.rows();
    }

    /** m, the number of columns (features) of the data the model was fitted to. */
    public int cols() {
        return h.cols();
    }

    public int rank() {
        return w.cols();
    }

    public Precision precision() {
        return w.precision();
    }

    /**
     * What the model records about itself: {@code jnmf_version}, shape, options, {@code loss},
     * {@code relative_error}, {@code restart_losses} and so on (keys as in summary.json). Numbers are
     * {@link Long} or {@link Double}, arrays {@link java.util.List}s.
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The final ½‖V − WH‖²_F of the fit, or NaN for a model made from factors alone. */
    public double loss() {
        return metadata.get("loss") instanceof Number x ? x.doubleValue() : Double.NaN;
    }

    /** The jnmf version that made the model. */
    public String jnmfVersion() {
        return String.valueOf(metadata.get("jnmf_version"));
    }

    /**
     * W for new rows (samples) with H held fixed: each row w of the result minimises ‖x − w·H‖ over w ≥ 0,
     * x being the matching row of {@code rows} (p×m, m as the model's). In the model's precision.
     */
    public DenseMatrix transform(Matrix rows) {
        if (rows.cols() != cols()) {
            throw new IllegalArgumentException("the new rows have " + rows.cols() + " columns, but the model was"
                    + " fitted to " + cols() + "; give rows with the same columns (features)");
        }
        Validation.checkNonNegative(rows);
        int k = rank();
        int m = cols();
        int p = rows.rows();
        double[] hValues = h.toDoubleArray();
        double[] gram = gramOfRows(hValues, k, m);
        // Xᵀ = rows·Hᵀ (p×k), one row at a time.
        double[] cross = new double[p * k];
        forEachEntry(rows, (i, j, x) -> {
            for (int a = 0; a < k; a++) {
                cross[i * k + a] += x * hValues[a * m + j];
            }
        });
        double[] solution = Nnls.solveTransposed(gram, cross, p, k, null).x();
        return toPrecision(p, k, solution);
    }

    /**
     * H for new columns with W held fixed: each column h of the result minimises ‖x − W·h‖ over h ≥ 0, x
     * being the matching column of {@code columns} (n×q, n as the model's). In the model's precision.
     */
    public DenseMatrix transformColumns(Matrix columns) {
        if (columns.rows() != rows()) {
            throw new IllegalArgumentException("the new columns have " + columns.rows() + " rows, but the model"
                    + " was fitted to " + rows() + "; give columns with the same rows (samples)");
        }
        Validation.checkNonNegative(columns);
        int k = rank();
        int n = rows();
        int q = columns.cols();
        double[] wValues = w.toDoubleArray();
        double[] gram = gramOfColumns(wValues, n, k);
        double[] cross = new double[k * q];
        forEachEntry(columns, (i, j, x) -> {
            for (int a = 0; a < k; a++) {
                cross[a * q + j] += wValues[i * k + a] * x;
            }
        });
        double[] solution = Nnls.solve(gram, cross, k, q, null).x();
        return toPrecision(k, q, solution);
    }

    private interface EntryConsumer {
        void accept(int i, int j, double x);
    }

    private static void forEachEntry(Matrix v, EntryConsumer consumer) {
        if (v instanceof SparseMatrix s) {
            int[] rowStart = s.rowStart();
            int[] columns = s.columnIndices();
            double[] values = s.values();
            for (int i = 0; i < s.rows(); i++) {
                for (int p = rowStart[i]; p < rowStart[i + 1]; p++) {
                    consumer.accept(i, columns[p], values[p]);
                }
            }
            return;
        }
        DenseMatrix d = (DenseMatrix) v;
        double[] row = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            d.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                if (row[j] != 0) {
                    consumer.accept(i, j, row[j]);
                }
            }
        }
    }

    /** H·Hᵀ for H (k×m) row-major. */
    private static double[] gramOfRows(double[] h, int k, int m) {
        double[] g = new double[k * k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b <= a; b++) {
                double s = 0;
                for (int c = 0; c < m; c++) {
                    s += h[a * m + c] * h[b * m + c];
                }
                g[a * k + b] = s;
                g[b * k + a] = s;
            }
        }
        return g;
    }

    /** Wᵀ·W for W (n×k) row-major. */
    private static double[] gramOfColumns(double[] w, int n, int k) {
        double[] g = new double[k * k];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < k; a++) {
                double x = w[i * k + a];
                for (int b = 0; b <= a; b++) {
                    g[a * k + b] += x * w[i * k + b];
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                g[b * k + a] = g[a * k + b];
            }
        }
        return g;
    }

    private DenseMatrix toPrecision(int rows, int cols, double[] values) {
        DenseMatrix d = DenseMatrix.wrap(rows, cols, values);
        return d.toPrecision(precision());
    }

    /** Saves the model to {@code file} atomically (a failure leaves any old file as it was). */
    public void save(Path file) {
        AtomicFiles.write(file, this::writeTo);
    }

    /** Writes the model in the file format above (for {@link AtomicFiles#writeAll} with other files). */
    public void writeTo(OutputStream out) throws IOException {
        byte[] header = FlatJson.write(metadata).getBytes(StandardCharsets.UTF_8);
        int bytes = precision() == Precision.SINGLE ? 4 : 8;
        ByteBuffer fixed = ByteBuffer.allocate(FIXED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        fixed.put(MAGIC).putInt(FORMAT_VERSION).putInt(rows()).putInt(cols()).putInt(rank()).putInt(bytes)
                .putInt(header.length);
        fixed.putInt(32, crc(fixed.array(), 0, 32));
        CRC32 crc = new CRC32();
        write(out, crc, fixed.array(), FIXED_BYTES);
        write(out, crc, header, header.length);
        writeValues(out, crc, w);
        writeValues(out, crc, h);
        ByteBuffer end = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        out.write(end.array());
    }

    private static void write(OutputStream out, CRC32 crc, byte[] bytes, int length) throws IOException {
        crc.update(bytes, 0, length);
        out.write(bytes, 0, length);
    }

    private static void writeValues(OutputStream out, CRC32 crc, DenseMatrix x) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        boolean single = x.precision() == Precision.SINGLE;
        for (int b = 0; b < x.blockCount(); b++) {
            if (single) {
                for (float v : x.floatBlock(b)) {
                    if (buffer.remaining() < 4) {
                        flush(out, crc, buffer);
                    }
                    buffer.putInt(Float.floatToRawIntBits(v));
                }
            } else {
                for (double v : x.doubleBlock(b)) {
                    if (buffer.remaining() < 8) {
                        flush(out, crc, buffer);
                    }
                    buffer.putLong(Double.doubleToRawLongBits(v));
                }
            }
        }
        flush(out, crc, buffer);
    }

    private static void flush(OutputStream out, CRC32 crc, ByteBuffer buffer) throws IOException {
        write(out, crc, buffer.array(), buffer.position());
        buffer.clear();
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @throws ModelFormatException naming the file and the problem: not a jnmf model, written by a newer
     *                              jnmf, truncated, or damaged (sizes that do not match the file's length,
     *                              a checksum that does not match)
     * @throws UncheckedIOException if the file cannot be read (missing, no permission)
     */
    public static NmfModel load(Path file) {
        // The size comes from the opened file: a checkpoint replaced (renamed over) between a Files.size and
        // the open would otherwise be read against another file's size.
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file);
             InputStream in = new BufferedInputStream(java.nio.channels.Channels.newInputStream(channel), CHUNK)) {
            return read(file, channel.size(), new DataInputStream(in));
        } catch (EOFException e) {
            throw new ModelFormatException(file, "the file ended early (truncated?); save the model again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + file + ": " + describe(e), e);
        }
    }

    private static NmfModel read(Path file, long size, DataInputStream in) throws IOException {
        byte[] fixedBytes = new byte[FIXED_BYTES];
        int got = in.readNBytes(fixedBytes, 0, FIXED_BYTES);
        if (got < MAGIC.length || !java.util.Arrays.equals(fixedBytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ModelFormatException(file, "not a jnmf model (it does not begin with jnmf's model signature);"
                    + " give a file written by 'jnmf fit --save' or NmfModel.save");
        }
        if (got < FIXED_BYTES) {
            throw new ModelFormatException(file, "truncated: only " + size + " bytes, less than the "
                    + FIXED_BYTES + "-byte fixed header of a jnmf model; save the model again");
        }
        ByteBuffer fixed = ByteBuffer.wrap(fixedBytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = fixed.getInt(8);
        boolean fixedIntact = fixed.getInt(32) == crc(fixedBytes, 0, 32);
        if (version != FORMAT_VERSION) {
            if (fixedIntact && version > FORMAT_VERSION) {
                throw new ModelFormatException(file, "written by a newer jnmf (model format " + version
                        + "; this jnmf " + Version.current() + " reads format " + FORMAT_VERSION + "); upgrade jnmf");
            }
            throw new ModelFormatException(file, "damaged: the format version reads "
                    + Integer.toUnsignedString(version) + " and the fixed header's checksum does not match");
        }
        if (!fixedIntact) {
            throw new ModelFormatException(file, "damaged: the checksum of the fixed header (bytes 0-31) does not"
                    + " match; the file was changed after it was written");
        }
        int n = fixed.getInt(12);
        int m = fixed.getInt(16);
        int k = fixed.getInt(20);
        int bytes = fixed.getInt(24);
        int headerLength = fixed.getInt(28);
        if (n < 1 || m < 1 || k < 1 || (bytes != 4 && bytes != 8) || headerLength < 2
                || headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "damaged: impossible sizes in the fixed header (W " + n + "×" + k
                    + ", H " + k + "×" + m + ", " + bytes + "-byte values, " + headerLength + "-byte header)");
        }
        long values = (long) n * k + (long) k * m;
        long expected = FIXED_BYTES + (long) headerLength + values * bytes + 4;
        if (expected != size) {
            String what = expected > size ? "truncated or damaged" : "damaged";
            throw new ModelFormatException(file, what + ": the header describes W " + n + "×" + k + " and H " + k
                    + "×" + m + " in " + (bytes == 4 ? "float32" : "float64") + ", " + expected + " bytes in all,"
                    + " but the file has " + size + " bytes");
        }
        MatrixTooLargeException.requireHeap(values * bytes, file + ": a model of W " + n + "×" + k + " and H " + k
                + "×" + m + " in " + (bytes == 4 ? "float32" : "float64"));
        CRC32 crc = new CRC32();
        crc.update(fixedBytes);
        byte[] header = new byte[headerLength];
        in.readFully(header);
        crc.update(header);
        Precision precision = bytes == 4 ? Precision.SINGLE : Precision.DOUBLE;
        DenseMatrix w = readValues(in, crc, n, k, precision);
        DenseMatrix h = readValues(in, crc, k, m, precision);
        int stored = Integer.reverseBytes(in.readInt());
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(file, "damaged: the checksum does not match the contents; the file was"
                    + " changed after it was written");
        }
        Map<String, Object> metadata;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
            metadata = FlatJson.parse(text);
        } catch (CharacterCodingException | IllegalArgumentException e) {
            throw new ModelFormatException(file, "damaged header: " + e.getMessage());
        }
        // The checksum only shows the file is as written; what wrote it must also have been jnmf.
        checkFactor(file, "W", w);
        checkFactor(file, "H", h);
        checkHeaderSays(file, metadata, "rows", (long) n);
        checkHeaderSays(file, metadata, "cols", (long) m);
        checkHeaderSays(file, metadata, "rank", (long) k);
        checkHeaderSays(file, metadata, "precision", precision.label());
        return new NmfModel(w, h, metadata);
    }

    /** Refuses a factor with an entry that is negative, NaN or infinite, which no fit writes. */
    private static void checkFactor(Path file, String name, DenseMatrix x) {
        double[] row = new double[x.cols()];
        for (int i = 0; i < x.rows(); i++) {
            x.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                if (!(row[j] >= 0) || row[j] == Double.POSITIVE_INFINITY) {
                    throw new ModelFormatException(file, "not a valid model: " + name + " holds " + row[j] + " at row "
                            + i + ", column " + j + " (0-based), but a model's factors are finite and ≥ 0;"
                            + " give a model written by jnmf");
                }
            }
        }
    }

    /** Refuses a header whose {@code key}, where it has one, disagrees with the fixed fields. */
    private static void checkHeaderSays(Path file, Map<String, Object> metadata, String key, Object value) {
        Object said = metadata.get(key);
        if (said != null && !said.equals(value)) {
            String shown = String.valueOf(said).codePoints().limit(40)
                    .map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            throw new ModelFormatException(file, "not a valid model: its header says " + key + " " + shown
                    + " but the fixed fields say " + value + "; give a model written by jnmf");
        }
    }

    private static DenseMatrix readValues(DataInputStream in, CRC32 crc, int rows, int cols, Precision precision)
            throws IOException {
        DenseMatrix.Builder b = new DenseMatrix.Builder(rows, cols, precision);
        int bytes = precision == Precision.SINGLE ? 4 : 8;
        byte[] rowBytes = new byte[Math.multiplyExact(cols, bytes)];
        double[] row = new double[cols];
        ByteBuffer buffer = ByteBuffer.wrap(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            in.readFully(rowBytes);
            crc.update(rowBytes);
            for (int j = 0; j < cols; j++) {
                // float32 widened to double and narrowed back by the builder: the same bits.
                row[j] = bytes == 4 ? Float.intBitsToFloat(buffer.getInt(4 * j))
                        : Double.longBitsToDouble(buffer.getLong(8 * j));
            }
            b.setRow(i, row);
        }
        return b.build();
    }

    private static String describe(IOException e) {
        String kind = switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            default -> e.getClass().getSimpleName();
        };
        return e.getMessage() == null ? kind : e.getMessage() + " (" + kind + ")";
    }

    @Override
    public String toString() {
        return "NmfModel[W " + rows() + "×" + rank() + ", H " + rank() + "×" + cols() + ", " + precision().label() + "]";
    }
}
