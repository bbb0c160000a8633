package org.jnmf.io;

/**
 * A matrix file that cannot be read as what its name says. The message is one line: the file, where
 * in it (line and column, 1-based, for text formats; the byte offset for {@code .npy}), what is wrong
 * and how to fix it, for example
 * {@code data.csv, line 3, column 7: 'abc' is not a number; ...}.
 */
public class MatrixFormatException extends IllegalArgumentException {
    private final String file;
    private final long line;
    private final long column;

    private MatrixFormatException(String file, long line, long column, String message) {
        super(oneLine(message));
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /** The message with control characters (line ends included) written as U+XXXX: always one line. */
    private static String oneLine(String message) {
        StringBuilder out = new StringBuilder(message.length());
        message.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("U+%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** A problem at a line and column (both 1-based) of a text file; {@code column} 0 when not known. */
    static MatrixFormatException at(String file, long line, long column, String problem) {
        String where = column > 0 ? ", line " + line + ", column " + column : ", line " + line;
        return new MatrixFormatException(file, line, column, file + where + ": " + problem);
    }

    /** A problem at a byte offset (0-based, as {@code xxd} shows it) of a binary file. */
    static MatrixFormatException atByte(String file, long offset, String problem) {
        return new MatrixFormatException(file, 0, 0, file + ", byte " + offset + ": " + problem);
    }

    /** A problem with the file as a whole. */
    static MatrixFormatException inFile(String file, String problem) {
        return new MatrixFormatException(file, 0, 0, file + ": " + problem);
    }

    /** The file as it was named to the reader. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem, or 0 when it is not tied to a line. */
    public long line() {
        return line;
    }

    /** The 1-based column of the problem, or 0 when it is not known. */
    public long column() {
        return column;
    }
}
