package org.jnmf.io;

import java.util.Arrays;
import java.util.Locale;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.OffHeap;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;

/**
 * Matrix Market exchange format (NIST): a banner {@code %%MatrixMarket matrix <format> <field>
 * <symmetry>}, comment lines starting with {@code %}, a size line, then the entries. {@code coordinate}
 * files list {@code row column value} with 1-based indices ({@code row column} for {@code pattern},
 * whose entries are 1) and become a {@link SparseMatrix}; {@code array} files list every value in
 * column-major order and become a float64 {@link DenseMatrix}. {@code symmetric} files store the lower
 * triangle only; the reader mirrors it. Blank lines are skipped.
 */
final class MatrixMarketReader {
    private static final String BANNER = "%%MatrixMarket";

    private MatrixMarketReader() {
    }

    static Matrix read(Source source) {
        Source.TextLines lines = source.lines();
        String name = source.name;
        String banner = lines.next();
        if (banner == null || !banner.regionMatches(true, 0, BANNER, 0, BANNER.length())) {
            throw MatrixFormatException.at(name, 1, 1, "a Matrix Market file must start with '" + BANNER
                    + " matrix coordinate real general' (or array, integer, pattern, symmetric); got '"
                    + abbreviate(banner) + "'");
        }
        Tokens t = new Tokens();
        t.split(banner);
        if (t.count != 5) {
            throw MatrixFormatException.at(name, 1, 1, "the banner needs 5 words ('" + BANNER
                    + " matrix <coordinate|array> <real|integer|pattern> <general|symmetric>'); got " + t.count);
        }
        String object = t.word(banner, 1).toLowerCase(Locale.ROOT);
        String format = t.word(banner, 2).toLowerCase(Locale.ROOT);
        String field = t.word(banner, 3).toLowerCase(Locale.ROOT);
        String symmetry = t.word(banner, 4).toLowerCase(Locale.ROOT);
        if (!object.equals("matrix")) {
            throw bannerError(name, t, 1, "object '" + object + "' is not supported; jnmf reads 'matrix'");
        }
        if (!format.equals("coordinate") && !format.equals("array")) {
            throw bannerError(name, t, 2, "format '" + format + "' is not one of coordinate, array");
        }
        boolean pattern = field.equals("pattern");
        if (!field.equals("real") && !field.equals("integer") && !field.equals("double") && !pattern) {
            throw bannerError(name, t, 3, "field '" + field + "' is not supported; jnmf reads real, integer"
                    + " and pattern (complex values cannot be factored)");
        }
        if (!symmetry.equals("general") && !symmetry.equals("symmetric")) {
            throw bannerError(name, t, 4, "symmetry '" + symmetry + "' is not supported; jnmf reads general"
                    + " and symmetric" + (symmetry.equals("skew-symmetric") ? " (a skew-symmetric matrix has"
                    + " negative entries, which NMF cannot factor)" : ""));
        }
        boolean symmetric = symmetry.equals("symmetric");
        boolean coordinate = format.equals("coordinate");
        if (pattern && !coordinate) {
            throw bannerError(name, t, 3, "'array pattern' is not valid Matrix Market: pattern needs coordinate");
        }

        String sizeLine = nextContent(lines);
        long sizeLineNumber = lines.number();
        if (sizeLine == null) {
            throw MatrixFormatException.at(name, lines.number() + 1, 1, "the file ends before the size line ("
                    + (coordinate ? "'rows columns entries'" : "'rows columns'") + "); the file is truncated");
        }
        t.split(sizeLine);
        int expected = coordinate ? 3 : 2;
        if (t.count != expected) {
            throw MatrixFormatException.at(name, sizeLineNumber, t.count > expected ? t.start[expected] + 1 : 1,
                    "the size line needs " + expected + " integers (" + (coordinate ? "rows columns entries"
                    : "rows columns") + "); got " + t.count + " ('" + abbreviate(sizeLine) + "')");
        }
        long[] size = new long[expected];
        for (int k = 0; k < expected; k++) {
            if (!Numbers.isIndex(sizeLine, t.start[k], t.end[k])) {
                throw MatrixFormatException.at(name, sizeLineNumber, t.start[k] + 1, Numbers.show(t.word(sizeLine, k))
                        + " in the size line is not a non-negative integer");
            }
            size[k] = Numbers.parseIndex(sizeLine, t.start[k], t.end[k]);
        }
        long rows = size[0];
        long cols = size[1];
        if (rows == 0 || cols == 0) {
            throw MatrixFormatException.at(name, sizeLineNumber, 1, "the matrix is empty (" + rows + "×" + cols
                    + "); NMF needs at least one row and one column");
        }
        if (rows > Integer.MAX_VALUE - 8 || cols > Integer.MAX_VALUE - 8) {
            throw MatrixFormatException.at(name, sizeLineNumber, 1, "the size " + rows + "×" + cols
                    + " has more than 2³¹ rows or columns, which jnmf cannot hold");
        }
        if (symmetric && rows != cols) {
            throw MatrixFormatException.at(name, sizeLineNumber, 1, "a symmetric matrix must be square; the size"
                    + " line says " + rows + "×" + cols);
        }
        // What the remaining bytes can hold at most: each coordinate entry takes at least "1 1 1\n" (or
        // "1 1\n" for pattern), each array value at least "1\n".
        long remaining = source.length < 0 ? -1 : source.length;
        if (coordinate) {
            return coordinate(lines, name, (int) rows, (int) cols, size[2], pattern, symmetric, sizeLineNumber,
                    remaining);
        }
        return array(lines, name, (int) rows, (int) cols, symmetric, sizeLineNumber, remaining);
    }

    private static SparseMatrix coordinate(Source.TextLines lines, String name, int rows, int cols, long nnz,
                                           boolean pattern, boolean symmetric, long sizeLine, long fileLength) {
        long most = symmetric ? (long) rows * (rows + 1) / 2 : (long) rows * cols;
        if (nnz > most) {
            throw MatrixFormatException.at(name, sizeLine, 1, "the size line declares " + nnz + " entries but a "
                    + rows + "×" + cols + (symmetric ? " symmetric matrix stores" : " matrix has") + " at most "
                    + most + " distinct positions; fix the entry count");
        }
        long minBytes = pattern ? 4 : 6;
        if (fileLength >= 0 && nnz * minBytes - 1 > fileLength) {
            throw MatrixFormatException.at(name, sizeLine, 1, "the size line declares " + nnz
                    + " entries but the whole file has only " + fileLength + " bytes, room for at most "
                    + (fileLength + 1) / minBytes + "; the file is truncated or the entry count is wrong");
        }
        if ((symmetric ? 2 * nnz : nnz) > Integer.MAX_VALUE - 8) {
            throw MatrixFormatException.at(name, sizeLine, 1, nnz + " entries are more than jnmf's sparse matrices"
                    + " hold (2³¹); split the matrix");
        }
        // The row pointers are the one allocation the file's length cannot bound (empty rows cost no
        // bytes in the file), so bound it by the heap instead: two int arrays of rows + 1 while sorting,
        // and for compressed input (where the count is not bounded by the file) the entries themselves:
        // row, column, line and value while reading, then column and value in CSR.
        long entries = symmetric ? 2 * nnz : nnz;
        long bytes = 8L * (rows + 1) + (fileLength < 0 ? 32 * entries : 0);
        MatrixTooLargeException.requireHeap(bytes, name + ", line " + sizeLine + ": a " + rows + "×" + cols
                + " sparse matrix (" + rows + " row pointers" + (fileLength < 0 ? ", " + entries + " entries" : "")
                + ")");
        // Grown as entries arrive: a compressed file's count is only a claim.
        int capacity = (int) Math.min(symmetric ? 2 * nnz : nnz, 1 << 16);
        int[] rowIndex = new int[capacity];
        int[] colIndex = new int[capacity];
        int[] lineOf = new int[capacity];
        double[] values = new double[capacity];
        int stored = 0;
        long read = 0;
        int fields = pattern ? 2 : 3;
        Tokens t = new Tokens();
        String line;
        while ((line = nextContent(lines)) != null) {
            long number = lines.number();
            if (read == nnz) {
                throw MatrixFormatException.at(name, number, 1, "more entries than the " + nnz
                        + " the size line (line " + sizeLine + ") declares; fix the count or remove the extra lines");
            }
            t.split(line);
            if (t.count != fields) {
                throw MatrixFormatException.at(name, number, t.count > fields ? t.start[fields] + 1 : line.length() + 1,
                        "expected " + fields + " values (" + (pattern ? "row column" : "row column value")
                        + "); got " + t.count);
            }
            int i = index(name, number, line, t, 0, rows, "row");
            int j = index(name, number, line, t, 1, cols, "column");
            double v = 1.0;
            if (!pattern) {
                if (!Numbers.isNumber(line, t.start[2], t.end[2])) {
                    throw MatrixFormatException.at(name, number, t.start[2] + 1, Numbers.show(t.word(line, 2))
                            + " is not a number; write the value as a decimal number such as 3 or 0.25");
                }
                v = Numbers.parse(line, t.start[2], t.end[2]);
            }
            if (symmetric && j > i) {
                throw MatrixFormatException.at(name, number, t.start[0] + 1, "entry (" + (i + 1) + ", " + (j + 1)
                        + ") is above the diagonal; a symmetric Matrix Market file stores only the lower triangle"
                        + " (row ≥ column): swap the indices or declare the matrix general");
            }
            int needed = stored + (symmetric && i != j ? 2 : 1);
            if (needed > rowIndex.length) {
                int grown = (int) Math.min(Math.max(needed, 2L * rowIndex.length), Integer.MAX_VALUE - 8);
                rowIndex = Arrays.copyOf(rowIndex, grown);
                colIndex = Arrays.copyOf(colIndex, grown);
                lineOf = Arrays.copyOf(lineOf, grown);
                values = Arrays.copyOf(values, grown);
            }
            int lineNumber = (int) Math.min(number, Integer.MAX_VALUE);
            rowIndex[stored] = i;
            colIndex[stored] = j;
            lineOf[stored] = lineNumber;
            values[stored++] = v;
            if (symmetric && i != j) {
                rowIndex[stored] = j;
                colIndex[stored] = i;
                lineOf[stored] = lineNumber;
                values[stored++] = v;
            }
            read++;
        }
        if (read < nnz) {
            throw MatrixFormatException.at(name, lines.number() + 1, 1, "the file ends after " + read + " of the "
                    + nnz + " entries the size line (line " + sizeLine + ") declares; the file is truncated"
                    + " or the count is wrong");
        }
        return toCsr(name, rows, cols, stored, rowIndex, colIndex, lineOf, values);
    }

    /** Sorts triplets into CSR, refusing a position given twice (naming both lines). */
    private static SparseMatrix toCsr(String name, int rows, int cols, int nnz, int[] rowIndex, int[] colIndex,
                                      int[] lineOf, double[] values) {
        int[] rowStart = new int[rows + 1];
        for (int p = 0; p < nnz; p++) {
            rowStart[rowIndex[p] + 1]++;
        }
        for (int i = 0; i < rows; i++) {
            rowStart[i + 1] += rowStart[i];
        }
        int[] next = Arrays.copyOf(rowStart, rows);
        int[] slotOf = new int[nnz];
        for (int p = 0; p < nnz; p++) {
            slotOf[next[rowIndex[p]]++] = p;
        }
        int[] columns = new int[nnz];
        double[] sorted = new double[nnz];
        long[] keyed = new long[0];
        for (int i = 0; i < rows; i++) {
            int from = rowStart[i];
            int to = rowStart[i + 1];
            if (keyed.length < to - from) {
                keyed = new long[Math.max(to - from, 2 * keyed.length)];
            }
            for (int q = from; q < to; q++) {
                keyed[q - from] = ((long) colIndex[slotOf[q]] << 32) | slotOf[q];
            }
            Arrays.sort(keyed, 0, to - from);
            for (int q = from; q < to; q++) {
                int p = (int) keyed[q - from];
                columns[q] = colIndex[p];
                sorted[q] = values[p];
                if (q > from && columns[q - 1] == columns[q]) {
                    int earlier = (int) keyed[q - from - 1];
                    int first = Math.min(lineOf[earlier], lineOf[p]);
                    int second = Math.max(lineOf[earlier], lineOf[p]);
                    throw MatrixFormatException.at(name, second, 1, "entry (" + (i + 1) + ", " + (columns[q] + 1)
                            + ") appears again (first on line " + first + "); Matrix Market lists each position once:"
                            + " sum or remove the duplicates");
                }
            }
        }
        return SparseMatrix.ofCsr(rows, cols, rowStart, columns, sorted);
    }

    private static DenseMatrix array(Source.TextLines lines, String name, int rows, int cols, boolean symmetric,
                                     long sizeLine, long fileLength) {
        long count = symmetric ? (long) rows * (rows + 1) / 2 : (long) rows * cols;
        if (fileLength >= 0 && count * 2 - 1 > fileLength) {
            throw MatrixFormatException.at(name, sizeLine, 1, "the size line declares a " + rows + "×" + cols
                    + " array (" + count + " values) but the whole file has only " + fileLength
                    + " bytes; the file is truncated or the size is wrong");
        }
        if (fileLength < 0) {
            OffHeap.requireMemory(16 * count, name + ", line " + sizeLine + ": a " + rows + "×"
                    + cols + " array (" + count + " values, read and then stored)");
        }
        DoubleChunks values = new DoubleChunks(name);
        Tokens t = new Tokens();
        String line;
        while ((line = nextContent(lines)) != null) {
            t.split(line);
            for (int k = 0; k < t.count; k++) {
                if (values.size() == count) {
                    throw MatrixFormatException.at(name, lines.number(), t.start[k] + 1, "more values than the "
                            + count + " a " + rows + "×" + cols + (symmetric ? " symmetric" : "")
                            + " array holds (size line " + sizeLine + "); fix the size or remove the extra values");
                }
                if (!Numbers.isNumber(line, t.start[k], t.end[k])) {
                    throw MatrixFormatException.at(name, lines.number(), t.start[k] + 1, Numbers.show(t.word(line, k))
                            + " is not a number; write the value as a decimal number such as 3 or 0.25");
                }
                values.add(Numbers.parse(line, t.start[k], t.end[k]));
            }
        }
        if (values.size() < count) {
            throw MatrixFormatException.at(name, lines.number() + 1, 1, "the file ends after " + values.size()
                    + " of the " + count + " values the size line (line " + sizeLine + ") declares; the file is"
                    + " truncated or the size is wrong");
        }
        DenseMatrix.Builder builder = DenseMatrix.Builder.onHeapOrOff(rows, cols, Precision.DOUBLE, name);
        long e = 0;
        for (int j = 0; j < cols; j++) {
            for (int i = symmetric ? j : 0; i < rows; i++) {
                double v = values.get(e++);
                builder.set(i, j, v);
                if (symmetric) {
                    builder.set(j, i, v);
                }
            }
        }
        return builder.build();
    }

    private static int index(String name, long number, String line, Tokens t, int k, int limit, String what) {
        int from = t.start[k];
        int to = t.end[k];
        if (!Numbers.isIndex(line, from, to)) {
            throw MatrixFormatException.at(name, number, from + 1, "the " + what + " index " + Numbers.show(t.word(line, k))
                    + " is not a positive integer");
        }
        long index = Numbers.parseIndex(line, from, to);
        if (index < 1 || index > limit) {
            throw MatrixFormatException.at(name, number, from + 1, "the " + what + " index " + index
                    + " is out of range 1.." + limit + " (Matrix Market indices are 1-based)");
        }
        return (int) index - 1;
    }

    /** The next line that is neither blank nor a comment, or null at the end. */
    private static String nextContent(Source.TextLines lines) {
        String line;
        while ((line = lines.next()) != null) {
            if (!Source.isBlank(line) && line.charAt(firstNonBlank(line)) != '%') {
                return line;
            }
        }
        return null;
    }

    private static int firstNonBlank(String line) {
        int p = 0;
        while (line.charAt(p) == ' ' || line.charAt(p) == '\t') {
            p++;
        }
        return p;
    }

    private static MatrixFormatException bannerError(String name, Tokens t, int k, String problem) {
        return MatrixFormatException.at(name, 1, t.start[k] + 1, problem);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Whitespace-separated words of one line, as start and end offsets (reused line after line). */
    static final class Tokens {
        int count;
        int[] start = new int[8];
        int[] end = new int[8];

        void split(String line) {
            count = 0;
            int p = 0;
            int n = line.length();
            while (true) {
                while (p < n && (line.charAt(p) == ' ' || line.charAt(p) == '\t')) {
                    p++;
                }
                if (p == n) {
                    return;
                }
                int from = p;
                while (p < n && line.charAt(p) != ' ' && line.charAt(p) != '\t') {
                    p++;
                }
                if (count == start.length) {
                    start = Arrays.copyOf(start, 2 * count);
                    end = Arrays.copyOf(end, 2 * count);
                }
                start[count] = from;
                end[count++] = p;
            }
        }

        String word(String line, int k) {
            return line.substring(start[k], end[k]);
        }
    }
}
