package org.jnmf.io;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * One opened input file: its name for messages, whether it is gzip-compressed, and (uncompressed only)
 * its length, against which readers check the sizes a header declares before allocating, and its path,
 * for readers that map the file instead of streaming it.
 */
final class Source {
    final String name;
    final boolean gzip;
    /** Length in bytes of the file, or -1 when compressed (the decompressed length is unknown). */
    final long length;
    final InputStream in;
    /** The uncompressed file itself, or null (compressed, or not a file). */
    final Path path;

    Source(String name, boolean gzip, long length, InputStream in) {
        this(name, gzip, length, in, null);
    }

    Source(String name, boolean gzip, long length, InputStream in, Path path) {
        this.name = name;
        this.gzip = gzip;
        this.length = length;
        this.in = in;
        this.path = path;
    }

    /**
     * Turns an I/O failure while reading into the exception to throw: corrupt or truncated gzip data is
     * a format problem (where the text reader had got to, if known); anything else is an I/O failure.
     */
    RuntimeException failure(IOException e, long line) {
        if (gzip && (e instanceof ZipException || e instanceof EOFException)) {
            String problem = "the gzip data is corrupt or truncated (" + e.getMessage()
                    + "); compress the file again or check that it was copied completely";
            return line > 0 ? MatrixFormatException.at(name, line, 0, problem)
                    : MatrixFormatException.inFile(name, problem);
        }
        return new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }

    /**
     * Lines of UTF-8 text (a leading byte-order mark is skipped), counted, with any line end ({@code \n},
     * {@code \r\n}, {@code \r}). UTF-16 text, which spreadsheets on Windows write as "Unicode text", is
     * refused by its byte-order mark with the fix rather than read as garbage.
     */
    TextLines lines() {
        if (in.markSupported()) {
            try {
                in.mark(2);
                int first = in.read();
                int second = in.read();
                in.reset();
                if ((first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF)) {
                    throw MatrixFormatException.at(name, 1, 1, "the file is UTF-16 text (it starts with a UTF-16"
                            + " byte-order mark); save it as UTF-8 (in a spreadsheet: CSV UTF-8) or plain ASCII");
                }
            } catch (IOException e) {
                throw failure(e, 1);
            }
        }
        return new TextLines(this);
    }

    static final class TextLines {
        private final Source source;
        private final BufferedReader reader;
        private long number;

        private TextLines(Source source) {
            this.source = source;
            this.reader = new BufferedReader(new InputStreamReader(source.in, StandardCharsets.UTF_8), 1 << 16);
        }

        /** The next line without its line end, or null at the end of the file. */
        String next() {
            try {
                String line = reader.readLine();
                if (line != null) {
                    number++;
                    if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                        line = line.substring(1);
                    }
                }
                return line;
            } catch (IOException e) {
                throw source.failure(e, number + 1);
            }
        }

        /** The 1-based number of the line {@link #next()} returned last (0 before the first). */
        long number() {
            return number;
        }

        String name() {
            return source.name;
        }
    }

    /** Whether the line holds nothing but spaces and tabs. */
    static boolean isBlank(String line) {
        for (int p = 0; p < line.length(); p++) {
            char c = line.charAt(p);
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
