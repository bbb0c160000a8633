package org.jnmf.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipException;
import org.jnmf.MatrixTooLargeException;

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
    /** The longest line {@link #lines()} reads, in bytes (less when the free heap is smaller). */
    final int maxLineBytes;

    Source(String name, boolean gzip, long length, InputStream in) {
        this(name, gzip, length, in, null);
    }

    Source(String name, boolean gzip, long length, InputStream in, Path path) {
        this(name, gzip, length, in, path, MAX_LINE_BYTES);
    }

    private Source(String name, boolean gzip, long length, InputStream in, Path path, int maxLineBytes) {
        this.name = name;
        this.gzip = gzip;
        this.length = length;
        this.in = in;
        this.path = path;
        this.maxLineBytes = maxLineBytes;
    }

    /** This source with another longest line, so that tests can reach the limit with small files. */
    Source withMaxLineBytes(int maxLineBytes) {
        return new Source(name, gzip, length, in, path, maxLineBytes);
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
     * refused by its byte-order mark with the fix rather than read as garbage, and a line longer than
     * {@link #maxLineBytes} (a binary file, text without line ends) is refused before it fills the heap.
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
        return new TextLines(this, maxLineBytes);
    }

    /**
     * The longest line, in bytes, that {@link TextLines} reads: a CSV row of a million values of 25
     * characters fits; a binary file or text without line ends is refused at this length rather than read
     * into memory whole.
     */
    static final int MAX_LINE_BYTES = 64 << 20;

    /** A line may take at most this fraction of the free heap: its bytes, the string, and the parser's offsets. */
    private static final int LINE_HEAP_SHARE = 16;

    static final class TextLines {
        private final Source source;
        private final int maxBytes;
        private int limit;
        private byte[] buffer = new byte[1 << 16];
        private int position;
        private int end;
        /** The last line ended with a CR: a LF right after it belongs to that line end. */
        private boolean skipLf;
        private boolean eof;
        private long number;

        private TextLines(Source source, int maxBytes) {
            this.source = source;
            this.maxBytes = maxBytes;
            this.limit = heapLimit();
        }

        private int heapLimit() {
            return (int) Math.max(1, Math.min(maxBytes, MatrixTooLargeException.availableHeap() / LINE_HEAP_SHARE));
        }

        /**
         * The next line without its line end, or null at the end of the file. The bytes up to a LF or CR are
         * decoded as UTF-8, bytes that are not UTF-8 becoming U+FFFD (as a decoding {@code Reader} does).
         */
        String next() {
            try {
                if (skipLf) {
                    if (position == end && !fill()) {
                        return null;
                    }
                    if (buffer[position] == '\n') {
                        position++;
                    }
                    skipLf = false;
                }
                int p = position;
                while (true) {
                    byte[] b = buffer;
                    int e = end;
                    while (p < e && b[p] != '\n' && b[p] != '\r') {
                        p++;
                    }
                    if (p < e) {
                        checkLength(p - position);
                        skipLf = b[p] == '\r';
                        String line = new String(b, position, p - position, StandardCharsets.UTF_8);
                        position = p + 1;
                        return counted(line);
                    }
                    int scanned = p - position;
                    checkLength(scanned);
                    if (!fill()) {
                        if (position == end) {
                            return null;
                        }
                        String line = new String(buffer, position, end - position, StandardCharsets.UTF_8);
                        position = end;
                        return counted(line);
                    }
                    p = position + scanned;
                }
            } catch (IOException e) {
                throw source.failure(e, number + 1);
            }
        }

        private String counted(String line) {
            number++;
            if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                return line.substring(1);
            }
            return line;
        }

        /** Refuses the line being read once it is longer than the limit (after a garbage collection, if the heap set it). */
        private void checkLength(int bytes) {
            if (bytes <= limit) {
                return;
            }
            if (limit < maxBytes) {
                System.gc();
                limit = heapLimit();
                if (bytes <= limit) {
                    return;
                }
            }
            boolean heap = limit < maxBytes;
            throw MatrixFormatException.at(source.name, number + 1, 0, "the line is longer than " + limit
                    + " bytes, the most jnmf reads as one line" + (heap ? " with the Java heap free now" : "")
                    + "; is this a text file with one matrix row per line? (A binary file, or text without"
                    + " line ends, reads like this.) A matrix this wide reads better saved as .npy or .mtx"
                    + (heap ? "; or give Java more memory (./jnmf -Xmx8g …, or JNMF_JAVA_OPTS=-Xmx8g; java: -Xmx8g)" : ""));
        }

        /**
         * Moves the unread bytes to the front, growing the buffer when they fill it, and reads more after them.
         * False at the end of the file.
         */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            int kept = end - position;
            if (kept == buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, (int) Math.min((long) limit + 1, 2L * buffer.length));
            } else if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, kept);
            }
            position = 0;
            end = kept;
            int n;
            do {
                n = source.in.read(buffer, end, buffer.length - end);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                return false;
            }
            end += n;
            return true;
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
