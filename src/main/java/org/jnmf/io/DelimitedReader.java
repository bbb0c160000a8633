package org.jnmf.io;

import org.jnmf.DenseMatrix;
import org.jnmf.Precision;

/**
 * CSV and TSV files: one row per line, fields separated by a comma or a tab, numbers in the syntax of
 * {@link Numbers}, read as float64. Fields may be surrounded by spaces and by double quotes (RFC 4180,
 * as spreadsheets write names). Blank lines are skipped.
 *
 * <p>The first row is column names when {@link ReadOptions#header()} says so or when none of its fields
 * is a number; the first column is row names when {@link ReadOptions#rowNames()} says so or when none
 * of its fields (below any header) is a number. A header may have one name fewer than the rows have
 * fields when the rows have names (R's {@code write.table} leaves the corner out).
 */
final class DelimitedReader {
    private DelimitedReader() {
    }

    static DenseMatrix read(Source source, char delimiter, ReadOptions options) {
        String name = source.name;
        Source.TextLines lines = source.lines();
        Fields f = new Fields(delimiter);
        String line = nextContent(lines);
        if (line == null) {
            throw MatrixFormatException.inFile(name, "the file holds no rows; it should hold a matrix, one row per line");
        }
        long headerLine = 0;
        int headerFields = 0;
        f.split(line, name, lines.number());
        boolean header = options.header();
        if (!header) {
            header = true;
            for (int k = 0; k < f.count && header; k++) {
                header = !f.isNumber(line, k);
            }
        }
        if (header) {
            headerLine = lines.number();
            headerFields = f.count;
            line = nextContent(lines);
            if (line == null) {
                throw MatrixFormatException.at(name, headerLine + 1, 1, "the file has a header row (line " + headerLine
                        + ") but no data rows; the matrix is empty");
            }
            f.split(line, name, lines.number());
        }
        long firstRowLine = lines.number();
        int width = f.count;
        DoubleChunks values = new DoubleChunks(name);
        int rows = 0;
        int namedRows = 0;
        long firstNumberLine = 0;
        long nameLine = 0;
        int nameColumn = 0;
        String nameText = null;
        do {
            long number = lines.number();
            if (rows > 0) {
                f.split(line, name, number);
            }
            if (f.count != width) {
                int column = f.count > width ? f.start[width] + 1 : line.length() + 1;
                throw MatrixFormatException.at(name, number, column, "this row has " + f.count + " value"
                        + (f.count == 1 ? "" : "s") + " but line " + firstRowLine + " has " + width
                        + "; every row needs the same number of values (is a value missing or a "
                        + (delimiter == ',' ? "comma" : "tab") + " extra?)");
            }
            if (f.isNumber(line, 0)) {
                values.add(f.value(line, 0));
                if (firstNumberLine == 0) {
                    firstNumberLine = number;
                }
            } else {
                values.add(0);
                namedRows++;
                if (nameText == null) {
                    nameLine = number;
                    nameColumn = f.start[0] + 1;
                    nameText = f.text(line, 0);
                }
            }
            for (int k = 1; k < width; k++) {
                if (!f.isNumber(line, k)) {
                    throw notANumber(name, number, f, line, k, number == firstRowLine && !header
                            ? "; if line " + number + " holds column names, read it with the header option (--header)"
                            : "");
                }
                values.add(f.value(line, k));
            }
            rows++;
            if (rows == Integer.MAX_VALUE - 8) {
                throw MatrixFormatException.at(name, number, 1, "more than 2³¹ rows, which jnmf cannot hold");
            }
        } while ((line = nextContent(lines)) != null);

        boolean dropFirst = options.rowNames() || namedRows == rows;
        if (!dropFirst && namedRows > 0) {
            throw notANumber(name, nameLine, nameColumn, nameText, "; if the first column holds row names, read"
                    + " with the row-names option (--row-names)" + (firstNumberLine > 0 ? " (line " + firstNumberLine
                    + " has a number there)" : ""));
        }
        if (header && headerFields != width && !(dropFirst && headerFields == width - 1)) {
            throw MatrixFormatException.at(name, headerLine, 1, "the header has " + headerFields + " name"
                    + (headerFields == 1 ? "" : "s") + " but line " + firstRowLine + " has " + width
                    + " values; give every column one name");
        }
        int cols = dropFirst ? width - 1 : width;
        if (cols == 0) {
            throw MatrixFormatException.at(name, firstRowLine, 1, "the rows hold names only, no values;"
                    + " the matrix is empty");
        }
        DenseMatrix.Builder builder = DenseMatrix.Builder.onHeapOrOff(rows, cols, Precision.DOUBLE, name);
        double[] row = new double[cols];
        long e = 0;
        for (int i = 0; i < rows; i++) {
            if (dropFirst) {
                e++;
            }
            for (int j = 0; j < cols; j++) {
                row[j] = values.get(e++);
            }
            builder.setRow(i, row);
        }
        return builder.build();
    }

    private static MatrixFormatException notANumber(String name, long line, Fields f, String text, int k,
                                                    String hint) {
        if (f.start[k] == f.end[k]) {
            return MatrixFormatException.at(name, line, f.start[k] + 1, "value " + (k + 1) + " is empty;"
                    + " every field needs a number (missing values are not supported)" + hint);
        }
        return notANumber(name, line, f.start[k] + 1, f.text(text, k), hint + " (value " + (k + 1) + " of the row)");
    }

    private static MatrixFormatException notANumber(String name, long line, int column, String token, String hint) {
        return MatrixFormatException.at(name, line, column, (token.isEmpty() ? "an empty field" : Numbers.show(token))
                + " is not a number; write decimal numbers such as 3, 0.25 or 1e-3" + hint);
    }

    private static String nextContent(Source.TextLines lines) {
        String line;
        while ((line = lines.next()) != null) {
            if (!Source.isBlank(line)) {
                return line;
            }
        }
        return null;
    }

    /** The fields of one line as start and end offsets of their content (quotes and spaces stripped). */
    private static final class Fields {
        private final char delimiter;
        int count;
        int[] start = new int[16];
        int[] end = new int[16];

        Fields(char delimiter) {
            this.delimiter = delimiter;
        }

        void split(String line, String name, long number) {
            count = 0;
            int n = line.length();
            int p = 0;
            while (true) {
                while (p < n && isSpace(line.charAt(p))) {
                    p++;
                }
                int from;
                int to;
                if (p < n && line.charAt(p) == '"') {
                    int open = p;
                    from = ++p;
                    while (true) {
                        if (p >= n) {
                            throw MatrixFormatException.at(name, number, open + 1, "the quote opened here is not"
                                    + " closed on this line; close it (fields cannot span lines)");
                        }
                        if (line.charAt(p) == '"') {
                            if (p + 1 < n && line.charAt(p + 1) == '"') {
                                p += 2;
                                continue;
                            }
                            break;
                        }
                        p++;
                    }
                    to = p++;
                    while (p < n && isSpace(line.charAt(p))) {
                        p++;
                    }
                    if (p < n && line.charAt(p) != delimiter) {
                        throw MatrixFormatException.at(name, number, p + 1, "text after the closing quote;"
                                + " put the whole field in quotes");
                    }
                } else {
                    from = p;
                    while (p < n && line.charAt(p) != delimiter) {
                        p++;
                    }
                    to = p;
                    while (to > from && isSpace(line.charAt(to - 1))) {
                        to--;
                    }
                }
                add(from, to);
                if (p >= n) {
                    return;
                }
                p++; // the delimiter
            }
        }

        private boolean isSpace(char c) {
            return c == ' ' || (c == '\t' && delimiter != '\t');
        }

        private void add(int from, int to) {
            if (count == start.length) {
                start = java.util.Arrays.copyOf(start, 2 * count);
                end = java.util.Arrays.copyOf(end, 2 * count);
            }
            start[count] = from;
            end[count++] = to;
        }

        boolean isNumber(String line, int k) {
            return Numbers.isNumber(line, start[k], end[k]);
        }

        double value(String line, int k) {
            return Numbers.parse(line, start[k], end[k]);
        }

        String text(String line, int k) {
            return line.substring(start[k], end[k]);
        }
    }
}
