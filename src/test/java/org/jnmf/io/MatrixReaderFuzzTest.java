package org.jnmf.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.SparseMatrix;

/**
 * Coverage-guided fuzz tests of the parsers (Jazzer). The property: whatever the bytes, a parser returns a
 * valid matrix or refuses with {@link MatrixFormatException}, {@link MatrixTooLargeException} or an I/O
 * exception; any other exception, a hang or an {@link OutOfMemoryError} is a finding. Each input is read
 * as a plain file (whose length the reader knows), as a stream of unknown length (how decompressed data
 * arrives), and, when it starts with the gzip magic, through the gzip path; the first two must agree.
 *
 * <p>A normal build runs each test on its inputs in {@code src/test/resources/org/jnmf/io/
 * MatrixReaderFuzzTestInputs/<test>/} (seeds and every crash ever found). {@code scripts/fuzz.sh} runs
 * the fuzzing mode, one test per JVM.
 */
class MatrixReaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void mtx(byte[] input) {
        check(input, "mtx", ReadOptions.defaults());
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] input) throws IOException {
        check(input, "npy", ReadOptions.defaults());
        // An uncompressed .npy file is memory-mapped, not streamed: that path must agree with the stream.
        Path file = SCRATCH.resolve("fuzz.npy");
        Files.write(file, input);
        Object mapped;
        try {
            mapped = MatrixReader.read(file);
            assertValid((Matrix) mapped);
        } catch (MatrixFormatException | MatrixTooLargeException | UncheckedIOException e) {
            mapped = e.getClass().getSimpleName();
        }
        Object streamed = outcome(input, "npy", ReadOptions.defaults(), true);
        if (mapped instanceof Matrix a && streamed instanceof Matrix b) {
            assertTrue(same(a, b), "the mapped and the streamed reading differ");
        } else {
            assertEquals(streamed instanceof Matrix, mapped instanceof Matrix,
                    "mapped: " + mapped + "; streamed: " + streamed);
        }
    }

    private static final Path SCRATCH;

    static {
        try {
            SCRATCH = Files.createTempDirectory("jnmf-fuzz");
            SCRATCH.toFile().deleteOnExit();
            SCRATCH.resolve("fuzz.npy").toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void csv(byte[] input) {
        check(input, "csv", ReadOptions.defaults());
        check(input, "csv", ReadOptions.defaults().withHeader(true).withRowNames(true));
    }

    @FuzzTest(maxDuration = "60s")
    void tsv(byte[] input) {
        check(input, "tsv", ReadOptions.defaults());
    }

    private static void check(byte[] input, String kind, ReadOptions options) {
        Object plain = outcome(input, kind, options, false);
        Object stream = outcome(input, kind, options, true);
        if (plain instanceof Matrix a && stream instanceof Matrix b) {
            assertTrue(same(a, b), "the same bytes read differently as a file and as a stream");
        } else {
            assertEquals(plain instanceof Matrix, stream instanceof Matrix,
                    "read as a file: " + plain + "; read as a stream: " + stream);
        }
        if (input.length > 2 && (input[0] & 0xff) == 0x1f && (input[1] & 0xff) == 0x8b) {
            String name = "fuzz." + kind + ".gz";
            try (InputStream z = MatrixReader.open(new ByteArrayInputStream(input), true, name)) {
                outcome(new Source(name, true, -1, z), kind, options);
            } catch (MatrixFormatException e) {
                // not gzip after all: refused when opened, as MatrixReader.read does
            } catch (IOException e) {
                throw new UncheckedIOException(e); // closing a byte array cannot fail
            }
        }
    }

    /** The matrix read, or the refusal as a string; any other throwable propagates as a finding. */
    private static Object outcome(byte[] input, String kind, ReadOptions options, boolean asStream) {
        Source source = new Source("fuzz." + kind, asStream, asStream ? -1 : input.length,
                new ByteArrayInputStream(input));
        return outcome(source, kind, options);
    }

    private static Object outcome(Source source, String kind, ReadOptions options) {
        try {
            Matrix m = MatrixReader.parse(source, kind, options).matrix();
            assertValid(m);
            return m;
        } catch (MatrixFormatException | MatrixTooLargeException | UncheckedIOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"), "a refusal is one line: " + e);
            return e.getClass().getSimpleName();
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static void assertValid(Matrix m) {
        assertTrue(m.rows() > 0 && m.cols() > 0, "an empty matrix was returned: " + m);
        if (m instanceof SparseMatrix s) {
            // ofCsr checked the structure when the reader built it; re-check what it cannot see.
            assertEquals(s.rowStart()[s.rows()], s.nonZeros());
        } else {
            DenseMatrix d = (DenseMatrix) m;
            long held = 0;
            for (int b = 0; b < d.blockCount(); b++) {
                held += d.precision() == org.jnmf.Precision.SINGLE ? d.floatBlock(b).length : d.doubleBlock(b).length;
            }
            assertEquals((long) d.rows() * d.cols(), held);
        }
    }

    private static boolean same(Matrix a, Matrix b) {
        if (a instanceof SparseMatrix x && b instanceof SparseMatrix y) {
            return x.rows() == y.rows() && x.cols() == y.cols()
                    && java.util.Arrays.equals(x.rowStart(), y.rowStart())
                    && java.util.Arrays.equals(x.columnIndices(), y.columnIndices())
                    && java.util.Arrays.equals(x.values(), y.values());
        }
        return a.equals(b);
    }
}
