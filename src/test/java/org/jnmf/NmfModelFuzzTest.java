package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Coverage-guided fuzz tests of the saved-model loader (Jazzer). The property: whatever the bytes,
 * {@link NmfModel#load} returns a valid model (W n×k and H k×m of one precision, every entry finite and
 * ≥ 0, a header that agrees with the fixed fields, and saving it again gives a file that loads to the same
 * model) or refuses with {@link ModelFormatException}, {@link MatrixTooLargeException} or an I/O exception,
 * in one line; any other exception, a hang or an {@link OutOfMemoryError} is a finding.
 *
 * <p>{@link #model} loads the bytes as they are, so mutations mostly meet the signature, the size check or
 * the checksums. {@link #modelWithValidChecksums} first makes the file as long as its fixed fields say and
 * recomputes both CRC-32s, so that mutations reach the header text and the factors; it also loads the file
 * as a {@link Checkpoint}, the other reader of the format.
 *
 * <p>A normal build runs each test on its inputs in {@code src/test/resources/org/jnmf/
 * NmfModelFuzzTestInputs/<test>/} (seeds and every finding); {@code scripts/fuzz.sh} runs the fuzzing mode.
 */
class NmfModelFuzzTest {
    private static final Path SCRATCH;

    static {
        try {
            SCRATCH = Files.createTempDirectory("jnmf-model-fuzz");
            SCRATCH.toFile().deleteOnExit();
            SCRATCH.resolve("fuzz.jnmf").toFile().deleteOnExit();
            SCRATCH.resolve("again.jnmf").toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void model(byte[] input) throws IOException {
        load(input);
    }

    @FuzzTest(maxDuration = "60s")
    void modelWithValidChecksums(byte[] input) throws IOException {
        byte[] fixed = withValidChecksums(input);
        load(fixed);
        try {
            Checkpoint c = Checkpoint.load(SCRATCH.resolve("fuzz.jnmf"));
            NmfModel model = NmfModel.load(SCRATCH.resolve("fuzz.jnmf"));
            assertEquals(model.w(), c.w());
            assertEquals(model.h(), c.h());
        } catch (ModelFormatException | MatrixTooLargeException | UncheckedIOException e) {
            assertOneLine(e);
        }
    }

    /**
     * The input made as long as its fixed fields say (zero-padded or cut, when that is not absurdly longer),
     * with the CRC-32 of the fixed header at byte 32 and the CRC-32 of everything before the last 4 bytes in
     * them, as {@link NmfModel#writeTo} writes them.
     */
    static byte[] withValidChecksums(byte[] input) {
        if (input.length < NmfModel.FIXED_BYTES) {
            return input;
        }
        ByteBuffer f = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        int n = f.getInt(12);
        int m = f.getInt(16);
        int k = f.getInt(20);
        int bytes = f.getInt(24);
        int headerLength = f.getInt(28);
        byte[] b = input.clone();
        long values = (long) n * k + (long) k * m; // below 2⁶³: no overflow
        if (n >= 1 && m >= 1 && k >= 1 && (bytes == 4 || bytes == 8) && headerLength >= 0 && values <= 1 << 20) {
            long expected = NmfModel.FIXED_BYTES + (long) headerLength + values * bytes + 4;
            if (expected <= input.length + (1 << 16)) {
                b = Arrays.copyOf(input, (int) expected);
            }
        }
        ByteBuffer out = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(32, crc(b, 0, 32));
        if (b.length >= NmfModel.FIXED_BYTES + 4) {
            out.putInt(b.length - 4, crc(b, 0, b.length - 4));
        }
        return b;
    }

    private static int crc(byte[] b, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    private static void load(byte[] input) throws IOException {
        Path file = SCRATCH.resolve("fuzz.jnmf");
        Files.write(file, input);
        NmfModel model;
        try {
            model = NmfModel.load(file);
        } catch (ModelFormatException | MatrixTooLargeException | UncheckedIOException e) {
            assertOneLine(e);
            return;
        }
        assertValid(model, input.length);
        // What loads saves again to a file that loads to the same model.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        model.writeTo(again);
        Path second = SCRATCH.resolve("again.jnmf");
        Files.write(second, again.toByteArray());
        NmfModel reloaded = NmfModel.load(second);
        assertEquals(model.w(), reloaded.w());
        assertEquals(model.h(), reloaded.h());
        assertEquals(model.metadata(), reloaded.metadata());
    }

    private static void assertValid(NmfModel model, int fileLength) {
        DenseMatrix w = model.w();
        DenseMatrix h = model.h();
        int n = model.rows();
        int m = model.cols();
        int k = model.rank();
        assertTrue(n >= 1 && m >= 1 && k >= 1, model.toString());
        assertArrayEquals(new int[] {n, k, k, m}, new int[] {w.rows(), w.cols(), h.rows(), h.cols()});
        assertEquals(model.precision(), w.precision());
        assertEquals(model.precision(), h.precision());
        assertTrue(((long) n * k + (long) k * m) * model.precision().bytes() < fileLength, "more values than bytes");
        for (DenseMatrix x : new DenseMatrix[] {w, h}) {
            for (double v : x.toDoubleArray()) {
                assertTrue(v >= 0 && v < Double.POSITIVE_INFINITY, "a factor holds " + v);
            }
        }
        Map<String, Object> meta = model.metadata();
        for (Map.Entry<String, Object> e : Map.<String, Object>of("rows", (long) n, "cols", (long) m,
                "rank", (long) k, "precision", model.precision().label()).entrySet()) {
            Object said = meta.get(e.getKey());
            assertTrue(said == null || said.equals(e.getValue()), e.getKey() + " in the header: " + said);
        }
        model.loss();
        model.jnmfVersion();
    }

    private static void assertOneLine(RuntimeException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().contains("\n") && !e.getMessage().contains("\r"),
                "a refusal is one line: " + e);
    }
}
