package org.jnmf.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.OffHeap;
import org.jnmf.Precision;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0, 3.0): the magic {@code \x93NUMPY}, the version,
 * the header length (2 bytes in 1.0, 4 in 2.0 and 3.0, little-endian), a Python dict literal such as
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (60, 40), }}, then the raw values.
 * Problems are reported at a byte offset, or at a column of the header text.
 *
 * <p>An uncompressed file is memory-mapped and its values copied straight from the mapping into the
 * matrix's row blocks, a row (or, in Fortran order, a column) at a time: no read buffers, and the page
 * cache, not the heap, holds the file while it is copied. A matrix too large for the heap is not copied
 * at all when the file holds it row-major in this machine's byte order (what {@code np.save} writes
 * here): the matrix is the mapping itself, held off-heap, and the page cache serves it. Otherwise it is
 * copied into native memory ({@link DenseMatrix.Builder#onHeapOrOff}). Compressed files are streamed.
 */
final class NpyReader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy itself refuses headers over 10 000 bytes by default; allow generously more, but not gigabytes. */
    private static final int MAX_HEADER = 1 << 20;
    private static final java.util.Set<String> SUPPORTED_TYPES = java.util.Set.of("f4", "f8", "i1", "i2", "i4", "i8",
            "u1", "u2", "u4", "u8", "b1");
    private static final String CONVERT = "save a 2-D float32 or float64 array, e.g. np.save(path, np.ascontiguousarray(a, dtype='<f8'))";

    private NpyReader() {
    }

    static DenseMatrix read(Source source) throws IOException {
        String name = source.name;
        InputStream in = source.in;
        byte[] prefix = readFully(source, 8, 0, "the file is too short for a .npy header");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw MatrixFormatException.atByte(name, i, "not a NumPy .npy file (it does not start with \\x93NUMPY); "
                        + "write it with numpy.save or give the file its format's extension");
            }
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        long headerLength;
        int lengthBytes;
        if (major == 1) {
            lengthBytes = 2;
        } else if (major == 2 || major == 3) {
            lengthBytes = 4;
        } else {
            throw MatrixFormatException.atByte(name, 6, "unsupported .npy format version " + major + "." + minor
                    + "; jnmf reads versions 1.0, 2.0 and 3.0");
        }
        byte[] lengthField = readFully(source, lengthBytes, 8, "the file ends inside the header length");
        ByteBuffer lb = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
        headerLength = lengthBytes == 2 ? lb.getShort() & 0xffffL : lb.getInt() & 0xffffffffL;
        long dataOffset = 8 + lengthBytes + headerLength;
        if (headerLength > MAX_HEADER || (source.length >= 0 && dataOffset > source.length)) {
            throw MatrixFormatException.atByte(name, 8, "the header length field says " + headerLength + " bytes, "
                    + (source.length >= 0 ? "but the file has only " + source.length + " bytes in all"
                    : "more than any .npy header needs") + "; the file is truncated or not a .npy file");
        }
        byte[] headerBytes = readFully(source, (int) headerLength, 8 + lengthBytes,
                "the file ends inside its " + headerLength + "-byte header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = new HeaderParser(name, header, 8 + lengthBytes).parse();

        // Integer and boolean arrays (what np.save writes for counts) read as float64, as scikit-learn converts them.
        Precision precision = h.kind == 'f' && h.item == 4 ? Precision.SINGLE : Precision.DOUBLE;
        int item = h.item;
        long count = (long) h.rows * h.cols;
        long dataBytes = count * item;
        if (source.length >= 0 && source.length - dataOffset != dataBytes) {
            long have = source.length - dataOffset;
            throw MatrixFormatException.atByte(name, have < dataBytes ? source.length : dataOffset + dataBytes,
                    "shape (" + h.rows + ", " + h.cols + ") of '" + h.descr + "' needs " + dataBytes
                    + " data bytes but the file holds " + have + (have < dataBytes
                    ? "; the file is truncated: copy or save it again"
                    : "; remove the trailing bytes or save the array again"));
        }
        if (source.path != null && h.kind == 'f') {
            return mapped(source.path, h, precision, dataOffset, dataBytes);
        }
        DenseMatrix.Builder builder;
        ValueReader values = new ValueReader(source, h.order, h.kind, item, count, dataOffset);
        if (source.length >= 0) {
            builder = DenseMatrix.Builder.onHeapOrOff(h.rows, h.cols, precision, name);
            for (long e = 0; e < count; e++) {
                place(builder, h, e, values.next());
            }
        } else {
            // Compressed: the header's size is a claim; keep only what actually arrives. The claim still
            // decides up front whether the matrix could fit at all (the values in doubles, then the matrix).
            OffHeap.requireMemory(count * 8 + dataBytes, name + ": shape (" + h.rows + ", "
                    + h.cols + ") of '" + h.descr + "', read from compressed data,");
            DoubleChunks chunks = new DoubleChunks(name);
            while (chunks.size() < count) {
                chunks.add(values.next());
            }
            if (in.read() != -1) {
                throw MatrixFormatException.atByte(name, dataOffset + dataBytes, "the data goes on past the "
                        + dataBytes + " bytes that shape (" + h.rows + ", " + h.cols + ") of '" + h.descr
                        + "' needs; save the array again");
            }
            builder = DenseMatrix.Builder.onHeapOrOff(h.rows, h.cols, precision, name);
            for (long e = 0; e < count; e++) {
                place(builder, h, e, chunks.get(e));
            }
        }
        return builder.build();
    }

    private static DenseMatrix mapped(Path path, Header h, Precision precision, long dataOffset, long dataBytes)
            throws IOException {
        String name = path.toString();
        if (!h.fortran && h.order == ByteOrder.nativeOrder()
                && !MatrixTooLargeException.heapHoldsData(dataBytes)) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                checkSize(channel, path, dataOffset + dataBytes);
                MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset, dataBytes, Arena.ofAuto());
                return DenseMatrix.wrap(h.rows, h.cols, precision, data);
            }
        }
        DenseMatrix.Builder builder = DenseMatrix.Builder.onHeapOrOff(h.rows, h.cols, precision, name);
        int outer = h.fortran ? h.cols : h.rows;
        int inner = h.fortran ? h.rows : h.cols;
        ValueLayout layout = (precision == Precision.SINGLE ? ValueLayout.JAVA_FLOAT_UNALIGNED
                : ValueLayout.JAVA_DOUBLE_UNALIGNED).withOrder(h.order);
        float[] floats = precision == Precision.SINGLE ? new float[inner] : null;
        double[] line = new double[inner];
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            checkSize(channel, path, dataOffset + dataBytes);
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset, dataBytes, arena);
            for (int o = 0; o < outer; o++) {
                long at = (long) o * inner * precision.bytes();
                if (floats != null) {
                    MemorySegment.copy(data, layout, at, floats, 0, inner);
                    for (int x = 0; x < inner; x++) {
                        line[x] = floats[x];
                    }
                } else {
                    MemorySegment.copy(data, layout, at, line, 0, inner);
                }
                if (h.fortran) {
                    for (int i = 0; i < inner; i++) {
                        builder.set(i, o, line[i]);
                    }
                } else {
                    builder.setRow(o, line);
                }
            }
        }
        return builder.build();
    }

    private static void checkSize(FileChannel channel, Path path, long expected) throws IOException {
        if (channel.size() != expected) {
            throw MatrixFormatException.inFile(path.toString(), "the file changed size while it was read (now "
                    + channel.size() + " bytes); read it again once whatever writes it has finished");
        }
    }

    private static void place(DenseMatrix.Builder builder, Header h, long e, double value) {
        if (h.fortran) {
            builder.set((int) (e % h.rows), (int) (e / h.rows), value);
        } else {
            builder.set((int) (e / h.cols), (int) (e % h.cols), value);
        }
    }

    private static byte[] readFully(Source source, int n, long offset, String problem) throws IOException {
        byte[] bytes;
        try {
            bytes = source.in.readNBytes(n);
        } catch (IOException e) {
            throw source.failure(e, 0);
        }
        if (bytes.length < n) {
            throw MatrixFormatException.atByte(source.name, offset + bytes.length, problem
                    + "; the file is truncated or not a .npy file");
        }
        return bytes;
    }

    /** Reads the data values one by one through a buffer, failing at the byte where the data ends early. */
    private static final class ValueReader {
        private final Source source;
        private final ByteOrder order;
        private final char kind;
        private final int item;
        private final long count;
        private final long dataOffset;
        private final byte[] buffer = new byte[1 << 16];
        private ByteBuffer view = ByteBuffer.allocate(0);
        private long consumed;
        private long bytesRead;

        ValueReader(Source source, ByteOrder order, char kind, int item, long count, long dataOffset) {
            this.source = source;
            this.order = order;
            this.kind = kind;
            this.item = item;
            this.count = count;
            this.dataOffset = dataOffset;
        }

        double next() {
            if (!view.hasRemaining()) {
                fill();
            }
            consumed++;
            return switch (kind) {
                case 'f' -> item == 4 ? view.getFloat() : view.getDouble();
                case 'i' -> switch (item) {
                    case 1 -> view.get();
                    case 2 -> view.getShort();
                    case 4 -> view.getInt();
                    default -> view.getLong();
                };
                case 'u' -> switch (item) {
                    case 1 -> view.get() & 0xff;
                    case 2 -> view.getShort() & 0xffff;
                    case 4 -> view.getInt() & 0xffffffffL;
                    default -> unsigned(view.getLong());
                };
                default -> view.get() != 0 ? 1 : 0; // 'b': NumPy's bool, one byte
            };
        }

        private static double unsigned(long bits) {
            return bits >= 0 ? bits : (double) (bits >>> 1) * 2 + (bits & 1);
        }

        private void fill() {
            int want = (int) Math.min(buffer.length, (count - consumed) * item);
            int got;
            try {
                got = source.in.readNBytes(buffer, 0, want);
            } catch (IOException e) {
                throw source.failure(e, 0);
            }
            bytesRead += got;
            if (got < item) {
                long at = dataOffset + bytesRead;
                throw MatrixFormatException.atByte(source.name, at, "the data ends after " + consumed + " of the "
                        + count + " values the header's shape needs; the file is truncated: copy or save it again");
            }
            view = ByteBuffer.wrap(buffer, 0, got - got % item).order(order);
        }
    }

    /** {@code kind}: NumPy's type character ({@code f}, {@code i}, {@code u} or {@code b}); {@code item}: bytes per value. */
    private record Header(String descr, char kind, int item, ByteOrder order, boolean fortran, int rows, int cols) {
    }

    /** A parser for the small subset of Python literals that .npy headers use. */
    private static final class HeaderParser {
        private final String name;
        private final String text;
        private final long offset;
        private int p;

        HeaderParser(String name, String text, long offset) {
            this.name = name;
            this.text = text;
            this.offset = offset;
        }

        Header parse() {
            String descr = null;
            Boolean fortran = null;
            List<Long> shape = null;
            skipSpace();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    p++;
                    break;
                }
                int keyAt = p;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> descr = string();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw error(keyAt, "unknown header key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    p++;
                } else if (peek() != '}') {
                    throw error(p, "expected ',' or '}' in the header");
                }
            }
            if (descr == null || fortran == null || shape == null) {
                throw error(0, "the header lacks " + (descr == null ? "'descr'" : fortran == null
                        ? "'fortran_order'" : "'shape'"));
            }
            ByteOrder order;
            String type = descr.length() == 3 ? descr.substring(1) : "";
            char byteOrder = descr.isEmpty() ? '?' : descr.charAt(0);
            if (!SUPPORTED_TYPES.contains(type) || "<>=|".indexOf(byteOrder) < 0) {
                throw error(0, "dtype '" + descr + "' is not supported: jnmf reads float32 ('<f4'), float64 ('<f8'),"
                        + " integer ('<i1' … '<i8', '<u1' … '<u8') and boolean ('|b1') arrays; convert with"
                        + " a.astype('<f8')");
            }
            char kind = type.charAt(0);
            int item = type.charAt(1) - '0';
            order = byteOrder == '>' ? ByteOrder.BIG_ENDIAN : byteOrder == '<' ? ByteOrder.LITTLE_ENDIAN
                    : ByteOrder.nativeOrder();
            if (shape.size() != 2) {
                throw error(0, "the array has " + shape.size() + " dimension" + (shape.size() == 1 ? "" : "s")
                        + " (shape " + shape + "); jnmf needs a 2-D matrix: reshape it, e.g. a.reshape(n, -1)");
            }
            long rows = shape.get(0);
            long cols = shape.get(1);
            if (rows == 0 || cols == 0) {
                throw MatrixFormatException.inFile(name, "the matrix is empty (shape (" + rows + ", " + cols
                        + ")); NMF needs at least one row and one column");
            }
            if (rows > Integer.MAX_VALUE - 8 || cols > Integer.MAX_VALUE - 8) {
                throw error(0, "shape (" + rows + ", " + cols + ") has more than 2³¹ rows or columns, which jnmf"
                        + " cannot hold");
            }
            if (rows * cols > Long.MAX_VALUE / 8) {
                throw error(0, "shape (" + rows + ", " + cols + ") is too large");
            }
            return new Header(descr, kind, item, order, fortran, (int) rows, (int) cols);
        }

        private MatrixFormatException error(int at, String problem) {
            return MatrixFormatException.atByte(name, offset + at, problem + " (header: " + text.strip() + "); "
                    + CONVERT);
        }

        private char peek() {
            if (p >= text.length()) {
                throw error(p, "the header ends early");
            }
            return text.charAt(p);
        }

        private void skipSpace() {
            while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
                p++;
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error(p, "expected '" + c + "' in the header");
            }
            p++;
        }

        private String string() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error(p, "expected a quoted string in the header");
            }
            int end = text.indexOf(quote, p + 1);
            if (end < 0) {
                throw error(p, "unterminated string in the header");
            }
            String s = text.substring(p + 1, end);
            p = end + 1;
            return s;
        }

        private boolean bool() {
            if (text.startsWith("True", p)) {
                p += 4;
                return true;
            }
            if (text.startsWith("False", p)) {
                p += 5;
                return false;
            }
            throw error(p, "expected True or False for 'fortran_order'");
        }

        private List<Long> tuple() {
            expect('(');
            List<Long> values = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    p++;
                    return values;
                }
                int start = p;
                while (p < text.length() && Character.isDigit(text.charAt(p))) {
                    p++;
                }
                if (start == p) {
                    throw error(start, "expected a non-negative integer in 'shape'");
                }
                long v = Numbers.parseIndex(text, start, p);
                if (p < text.length() && text.charAt(p) == 'L') {
                    p++; // Python 2 wrote long integers with a trailing L
                }
                values.add(v);
                skipSpace();
                if (peek() == ',') {
                    p++;
                } else if (peek() != ')') {
                    throw error(p, "expected ',' or ')' in 'shape'");
                }
            }
        }
    }
}
