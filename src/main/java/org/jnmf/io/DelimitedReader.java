package org.jnmf.io;

import java.util.ArrayList;
import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;

/**
 * CSV and TSV files: one row per line, fields separated by a comma or a tab, numbers in the syntax of
 * {@link Numbers}, read as float64. Fields may be surrounded by spaces and by double quotes (RFC 4180,
 * as spreadsheets write names). Blank lines are skipped. Missing values ({@code NA}, {@code N/A},
 * {@code #N/A}, {@code null}, empty fields) read as NaN when {@link ReadOptions#missingValues()} allows them.
 *
 * <p>Unless {@link ReadOptions} decides, the header row and the row-name column are detected by type
 * consistency, the first row and column against the rows and columns below:
 * <ul>
 *   <li>the first row is a header when it holds text where the rows below hold numbers, when its first
 *       field is empty (the corner pandas' {@code to_csv} and R's {@code write.csv} leave), when every
 *       field of it is quoted and the second row quotes no number (R quotes names, not numbers), or when, beside a
 *       column of names, its numbers are all whole while the columns below hold fractions
 *       ({@code gene,2019,2020,2021});</li>
 *   <li>the first column is row names when it holds text in every row, when the header has one name
 *       fewer than the rows have fields (R's {@code write.table}) or leaves its first name empty (an
 *       index), or when it holds distinct whole numbers (ids, e.g. Entrez) while the other columns hold
 *       fractions or the header names it like an id ({@code id}, {@code gene}, {@code entrez}, …).</li>
 * </ul>
 * Every guess that the numbers alone do not settle is reported in {@link LabeledMatrix#notes()} with the
 * option that overrules it.
 */
final class DelimitedReader {
    private DelimitedReader() {
    }

    static LabeledMatrix read(Source source, char delimiter, ReadOptions options) {
        String name = source.name;
        boolean missingAllowed = options.missingValues();
        Source.TextLines lines = source.lines();
        Fields f = new Fields(delimiter);
        String line = nextContent(lines);
        if (line == null) {
            throw MatrixFormatException.inFile(name, "the file holds no rows; it should hold a matrix, one row per line");
        }
        long firstLine = lines.number();
        Fields firstFields = new Fields(delimiter);
        firstFields.split(line, name, firstLine);
        Row first = new Row(firstFields, line);

        // Every row below the first: column 0 as text (names or values), the rest as numbers. The texts of
        // column 0 are kept only while some rule of the row-name decision below could still take them.
        DoubleChunks values = new DoubleChunks(name);
        List<String> column0 = new ArrayList<>();
        boolean rowNamesForced = Boolean.TRUE.equals(options.rowNames());
        int width = -1;
        long secondLine = 0;
        String secondText = null;
        boolean[] wholeBelow = null;
        boolean quotedNumbersInSecondRow = false;
        boolean quotedOtherInSecondRow = false;
        int quoted0Below = 0;
        int rowsBelow = 0;
        int namedBelow = 0;
        long firstNameLine = 0;
        int firstNameColumn = 0;
        String firstNameText = null;
        long firstNumberLine = 0;
        long firstMissing0Line = 0;
        int firstMissing0Column = 0;
        String firstMissing0Text = null;
        while ((line = nextContent(lines)) != null) {
            long number = lines.number();
            f.split(line, name, number);
            if (width < 0) {
                width = f.count;
                secondLine = number;
                secondText = line;
                wholeBelow = new boolean[width];
                java.util.Arrays.fill(wholeBelow, true);
                for (int k = 0; k < width; k++) {
                    quotedNumbersInSecondRow |= f.quoted[k] && f.isNumber(line, k);
                    quotedOtherInSecondRow |= k > 0 && f.quoted[k];
                }
            } else if (f.count != width) {
                throw widthMismatch(name, number, line, f, width, secondLine, delimiter);
            }
            String text0 = f.text(line, 0);
            if (column0 != null) {
                column0.add(text0);
            }
            if (f.quoted[0]) {
                quoted0Below++;
            }
            boolean missing0 = isMissing(text0);
            if (missing0 || f.isNumber(line, 0)) {
                double x = missing0 ? Double.NaN : f.value(line, 0);
                values.add(x);
                wholeBelow[0] &= isWhole(x);
                if (firstNumberLine == 0) {
                    firstNumberLine = number;
                }
                if (firstMissing0Line == 0 && missing0) {
                    firstMissing0Line = number;
                    firstMissing0Column = f.start[0] + 1;
                    firstMissing0Text = text0;
                }
            } else {
                values.add(0);
                namedBelow++;
                if (firstNameLine == 0) {
                    firstNameLine = number;
                    firstNameColumn = f.start[0] + 1;
                    firstNameText = text0;
                }
            }
            for (int k = 1; k < width; k++) {
                double x = value(name, number, f, line, k, missingAllowed, "");
                values.add(x);
                wholeBelow[k] &= isWhole(x);
            }
            rowsBelow++;
            if (rowsBelow == Integer.MAX_VALUE - 8) {
                throw MatrixFormatException.at(name, number, 1, "more than 2³¹ rows, which jnmf cannot hold");
            }
            // Each condition, once false, stays false; when all are, no rule below can make column 0 names.
            if (column0 != null && !(rowNamesForced || namedBelow == rowsBelow || quoted0Below == rowsBelow
                    || wholeBelow[0] || first.count == width - 1 || first.text[0].isEmpty())) {
                column0 = null;
            }
        }

        List<String> notes = new ArrayList<>();
        boolean header = decideHeader(options, first, rowsBelow, width, namedBelow, wholeBelow,
                quotedNumbersInSecondRow, notes, name, firstLine);
        if (header && rowsBelow == 0) {
            throw MatrixFormatException.at(name, firstLine + 1, 1, "the file has a header row (line " + firstLine
                    + ") but no data rows; the matrix is empty");
        }
        if (!header) {
            // The first row is data: it joins column 0's statistics and must have the rows' width.
            if (width >= 0 && first.count != width) {
                f.split(secondText, name, secondLine);
                throw widthMismatch(name, secondLine, secondText, f, first.count, firstLine, delimiter);
            }
            width = first.count;
            if (!first.numeric[0]) {
                namedBelow++;
                firstNameLine = firstLine;
                firstNameColumn = first.fields.start[0] + 1;
                firstNameText = first.text[0];
            } else {
                firstNumberLine = firstLine;
            }
            if (wholeBelow != null) {
                for (int k = 0; k < width; k++) {
                    wholeBelow[k] &= !first.numeric[k] || isWhole(first.value(k));
                }
            }
        }
        int rows = rowsBelow + (header ? 0 : 1);

        // Row names.
        boolean rowNames;
        if (options.rowNames() != null) {
            rowNames = options.rowNames();
        } else if (header && first.count == width - 1) {
            rowNames = true;
        } else if (rowsBelow > 0 && quoted0Below == rowsBelow && !quotedOtherInSecondRow && width > 1
                && (header || first.quoted[0])) {
            rowNames = true; // quoted like names (jnmf's and R's CSV output), the numbers beside them not
        } else if (namedBelow == rows) {
            rowNames = true;
        } else if (namedBelow > 0) {
            rowNames = false; // mixed: refused below, naming the first name
        } else if (header && first.text[0].isEmpty() && width > 1) {
            rowNames = true;
            notes.add("column 1 of " + name + " read as row names: the header leaves its name empty, as pandas'"
                    + " to_csv and R's write.csv do for an index; pass --no-row-names to factor it as data");
        } else {
            rowNames = firstMissing0Line == 0 && looksLikeIds(header ? first.text[0] : null, column0,
                    header ? null : first, wholeBelow, width, rows);
            if (rowNames) {
                notes.add("column 1 of " + name + " read as row ids (distinct whole numbers"
                        + (header ? " named '" + first.text[0] + "'" : "") + "); pass --no-row-names to factor it"
                        + " as data");
            }
        }
        if (!rowNames && namedBelow > 0) {
            throw notANumber(name, firstNameLine, firstNameColumn, firstNameText, "; if the first column holds row names, read"
                    + " with the row-names option (--row-names)" + (firstNumberLine > 0 ? " (line " + firstNumberLine
                    + " has a number there)" : ""));
        }
        if (header && first.count != width && !(rowNames && first.count == width - 1)) {
            throw MatrixFormatException.at(name, firstLine, 1, "the header has " + first.count + " name"
                    + (first.count == 1 ? "" : "s") + " but line " + secondLine + " has " + width
                    + " values; give every column one name");
        }
        int cols = rowNames ? width - 1 : width;
        if (cols == 0) {
            throw MatrixFormatException.at(name, header ? secondLine : firstLine, 1, "the rows hold names only, no values;"
                    + " the matrix is empty");
        }
        double[] firstValues = null;
        if (!header) {
            firstValues = new double[width];
            for (int k = rowNames ? 1 : 0; k < width; k++) {
                firstValues[k] = value(name, firstLine, first.fields, first.line, k, missingAllowed,
                        "; line " + firstLine + " was read as data (--no-header); if it holds column names, drop"
                                + " --no-header");
            }
        }
        if (!rowNames && firstMissing0Line > 0 && !missingAllowed) {
            throw missing(name, firstMissing0Line, firstMissing0Column, firstMissing0Text, 1);
        }

        DenseMatrix.Builder builder = DenseMatrix.Builder.onHeapOrOff(rows, cols, Precision.DOUBLE, name);
        double[] row = new double[cols];
        int i = 0;
        if (firstValues != null) {
            System.arraycopy(firstValues, rowNames ? 1 : 0, row, 0, cols);
            builder.setRow(i++, row);
        }
        long e = 0;
        for (int r = 0; r < rowsBelow; r++) {
            if (rowNames) {
                e++;
            }
            for (int j = 0; j < cols; j++) {
                row[j] = values.get(e++);
            }
            builder.setRow(i++, row);
        }
        List<String> rowLabels = List.of();
        if (rowNames) {
            rowLabels = new ArrayList<>(rows);
            if (!header) {
                rowLabels.add(first.text[0]);
            }
            rowLabels.addAll(column0);
        }
        List<String> columnLabels = List.of();
        if (header) {
            int from = first.count == cols ? 0 : 1;
            columnLabels = java.util.Arrays.asList(first.text).subList(from, from + cols);
        }
        return new LabeledMatrix(builder.build(), rowLabels, columnLabels, notes);
    }
    private static final java.util.Set<String> MISSING = java.util.Set.of("", "NA", "N/A", "n/a", "#N/A", "<NA>",
            "NULL", "null", "None");

    /** Whether a field marks a missing value as R ({@code NA}), pandas (an empty field) and spreadsheets write it. */
    private static boolean isMissing(String field) {
        return MISSING.contains(field);
    }

    /** Whole numbers (ids, counts, years); a missing value counts as whole, so that it decides nothing. */
    private static boolean isWhole(double x) {
        return Double.isNaN(x) || (Double.isFinite(x) && x == Math.rint(x));
    }

    private static double value(String name, long line, Fields f, String text, int k, boolean missingAllowed,
                                String hint) {
        if (f.isNumber(text, k)) {
            return f.value(text, k);
        }
        String token = f.text(text, k);
        if (isMissing(token)) {
            if (missingAllowed) {
                return Double.NaN;
            }
            throw missing(name, line, f.start[k] + 1, token, k + 1);
        }
        throw notANumber(name, line, f.start[k] + 1, token, hint + " (value " + (k + 1) + " of the row)");
    }

    private static MatrixFormatException missing(String name, long line, int column, String token, int valueIndex) {
        return MatrixFormatException.at(name, line, column, (token.isEmpty() ? "value " + valueIndex + " is empty"
                : Numbers.show(token) + " (value " + valueIndex + " of the row)") + ", a missing value; to read missing"
                + " values as NaN and leave them out of the fit, pass --missing nan");
    }

    private static MatrixFormatException notANumber(String name, long line, int column, String token, String hint) {
        return MatrixFormatException.at(name, line, column, Numbers.show(token)
                + " is not a number; write decimal numbers such as 3, 0.25 or 1e-3" + hint);
    }

    private static MatrixFormatException widthMismatch(String name, long number, String line, Fields f, int width,
                                                       long widthLine, char delimiter) {
        int column = f.count > width ? f.start[width] + 1 : line.length() + 1;
        return MatrixFormatException.at(name, number, column, "this row has " + f.count + " value"
                + (f.count == 1 ? "" : "s") + " but line " + widthLine + " has " + width
                + "; every row needs the same number of values (is a value missing or a "
                + (delimiter == ',' ? "comma" : "tab") + " extra?)");
    }

    /** Whether the first row is column names; see the class comment. Adds a note for each guess. */
    private static boolean decideHeader(ReadOptions options, Row first, int rowsBelow, int width, int namedBelow,
                                        boolean[] wholeBelow, boolean quotedNumbersInSecondRow, List<String> notes,
                                        String name, long firstLine) {
        if (options.header() != null) {
            return options.header();
        }
        if (rowsBelow == 0) {
            for (int k = 0; k < first.count; k++) {
                if (first.numeric[k]) {
                    return false;
                }
            }
            return true;
        }
        for (int k = 1; k < first.count; k++) {
            if (!first.numeric[k]) {
                return true;
            }
        }
        if (first.text[0].isEmpty() && first.count > 1) {
            return true;
        }
        boolean column0Names = namedBelow == rowsBelow;
        if (!first.numeric[0] && !column0Names) {
            return true;
        }
        boolean allQuoted = true;
        for (int k = 0; k < first.count; k++) {
            allQuoted &= first.quoted[k];
        }
        if (allQuoted && !quotedNumbersInSecondRow) {
            return true;
        }
        if (!first.numeric[0] && column0Names && first.count == width && width > 1) {
            boolean allWhole = true;
            boolean fractionsBelow = false;
            for (int k = 1; k < width; k++) {
                allWhole &= !isMissing(first.text[k]) && isWhole(first.value(k));
                fractionsBelow |= !wholeBelow[k];
            }
            String shown = "line " + firstLine + " of " + name + " (" + Numbers.show(first.text[0]) + ", "
                    + Numbers.show(first.text[1]) + (width > 2 ? ", …" : "") + ")";
            if (allWhole && fractionsBelow) {
                notes.add(shown + " read as the header: beside the row names its numbers are whole, as column names"
                        + " such as years are, where the columns below hold fractions; pass --no-header if it is data");
                return true;
            }
            if (allWhole) {
                notes.add(shown + " read as data; if it holds column names (whole numbers such as years), pass"
                        + " --header");
            }
        }
        return false;
    }

    private static final java.util.regex.Pattern ID_NAME = java.util.regex.Pattern.compile(
            "(?i)(|.*[^a-z])(id|ids|geneid|gene|genes|entrez|entrezid|ensembl|symbol|probe|probeset|index|name|names"
                    + "|row|rows)");

    /**
     * Whether column 0, all numbers, holds ids: distinct whole numbers beside columns that hold fractions, or
     * under a header name such as {@code entrez_id}. {@code first} is the first row when it is data; the texts
     * of column 0 below it are there whenever {@code whole[0]} holds.
     */
    private static boolean looksLikeIds(String headerName, List<String> column0, Row first, boolean[] whole,
                                        int width, int rows) {
        if (rows < 2 || width < 2 || whole == null || !whole[0]) {
            return false;
        }
        boolean fractions = false;
        for (int k = 1; k < width; k++) {
            fractions |= !whole[k];
        }
        boolean idName = headerName != null && ID_NAME.matcher(headerName.trim()).matches();
        if (!fractions && !idName) {
            return false;
        }
        java.util.HashSet<Double> seen = new java.util.HashSet<>();
        if (first != null) {
            seen.add(first.value(0));
        }
        for (String id : column0) {
            if (!seen.add(Numbers.parse(id, 0, id.length()))) {
                return false;
            }
        }
        return true;
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

    /** The first row, kept with its fields until the rows below say whether it is a header. */
    private static final class Row {
        final Fields fields;
        final String line;
        final int count;
        final String[] text;
        final boolean[] quoted;
        final boolean[] numeric;

        Row(Fields fields, String line) {
            this.fields = fields;
            this.line = line;
            count = fields.count;
            text = new String[count];
            quoted = new boolean[count];
            numeric = new boolean[count];
            for (int k = 0; k < count; k++) {
                text[k] = fields.text(line, k);
                quoted[k] = fields.quoted[k];
                numeric[k] = fields.isNumber(line, k) || isMissing(text[k]);
            }
        }

        /** Field k as a number (NaN for a missing value); only for numeric fields. */
        double value(int k) {
            return isMissing(text[k]) ? Double.NaN : fields.value(line, k);
        }
    }

    /** The fields of one line as start and end offsets of their content (quotes and spaces stripped). */
    private static final class Fields {
        private final char delimiter;
        int count;
        int[] start = new int[16];
        int[] end = new int[16];
        boolean[] quoted = new boolean[16];

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
                add(from, to, from > 0 && line.charAt(from - 1) == '"');
                if (p >= n) {
                    return;
                }
                p++; // the delimiter
            }
        }

        private boolean isSpace(char c) {
            return c == ' ' || (c == '\t' && delimiter != '\t');
        }

        private void add(int from, int to, boolean wasQuoted) {
            if (count == start.length) {
                start = java.util.Arrays.copyOf(start, 2 * count);
                end = java.util.Arrays.copyOf(end, 2 * count);
                quoted = java.util.Arrays.copyOf(quoted, 2 * count);
            }
            quoted[count] = wasQuoted;
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
            String text = line.substring(start[k], end[k]);
            return quoted[k] ? text.replace("\"\"", "\"") : text;
        }
    }
}
