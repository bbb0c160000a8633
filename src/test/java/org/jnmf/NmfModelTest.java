package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Saved models: bit-for-bit round trips, and every kind of bad file refused with a message naming it. */
class NmfModelTest {
    private static final DenseMatrix V = TestMatrices.lowRank(30, 20, 4, 0.1, 31);

    @TempDir
    Path dir;

    private static NmfModel fitted(Precision precision) {
        NmfOptions options = NmfOptions.builder(4).seed(9).maxIterations(20).precision(precision).threads(1)
                .restarts(2).build();
        return NmfModel.of(Nmf.fit(V, options), options);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void roundTripsBitForBit(Precision precision) throws IOException {
        NmfModel model = fitted(precision);
        Path file = dir.resolve("model.jnmf");
        model.save(file);
        NmfModel loaded = NmfModel.load(file);
        assertEquals(model.w(), loaded.w());
        assertEquals(model.h(), loaded.h());
        assertEquals(precision, loaded.precision());
        assertEquals(model.metadata(), loaded.metadata());
        assertEquals(Version.current(), loaded.jnmfVersion());
        assertEquals(model.loss(), loaded.loss(), 0.0);
        assertEquals(2, ((List<?>) loaded.metadata().get("restart_losses")).size());
        assertEquals(30L, loaded.metadata().get("rows"));
        // Saving the loaded model gives the same bytes.
        Path again = dir.resolve("again.jnmf");
        loaded.save(again);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
        // No temporary file is left beside it.
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }

    private Path saved() {
        Path file = dir.resolve("m.jnmf");
        fitted(Precision.DOUBLE).save(file);
        return file;
    }

    private static ModelFormatException refused(Path file) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> NmfModel.load(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertEquals(file, e.file());
        return e;
    }

    @Test
    void aTruncatedFileIsRefusedAtEveryLength() throws IOException {
        Path file = saved();
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.jnmf");
        for (int length : new int[] {9, 20, NmfModel.FIXED_BYTES - 1, NmfModel.FIXED_BYTES, 100, bytes.length / 2,
                bytes.length - 4, bytes.length - 1}) {
            Files.write(cut, Arrays.copyOf(bytes, length));
            String message = refused(cut).getMessage();
            assertTrue(message.contains("truncated"), length + " bytes: " + message);
        }
        Files.write(cut, new byte[0]);
        assertTrue(refused(cut).getMessage().contains("not a jnmf model"));
    }

    @Test
    void everyFlippedByteIsCaught() throws IOException {
        Path file = saved();
        byte[] bytes = Files.readAllBytes(file);
        Path bad = dir.resolve("flipped.jnmf");
        // Every byte of the fixed header, then a stride through the header text, W, H and the checksum.
        for (int at = 0; at < bytes.length; at += at < 64 ? 1 : 37) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] copy = bytes.clone();
                copy[at] ^= (byte) bit;
                Files.write(bad, copy);
                ModelFormatException e = assertThrows(ModelFormatException.class, () -> NmfModel.load(bad),
                        "byte " + at + " flipped was not noticed");
                String m = e.getMessage();
                assertTrue(m.contains("damaged") || m.contains("not a jnmf model"),
                        "byte " + at + ": " + m);
            }
        }
        byte[] last = bytes.clone();
        last[last.length - 1] ^= 0x10;
        Files.write(bad, last);
        assertTrue(refused(bad).getMessage().contains("checksum"));
    }

    @Test
    void aForeignFileIsNotAModel() throws IOException {
        Path npy = dir.resolve("W.npy");
        org.jnmf.io.MatrixWriter.write(V, npy);
        assertTrue(refused(npy).getMessage().contains("not a jnmf model"));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a model at all, but long enough to have a header");
        assertTrue(refused(text).getMessage().contains("not a jnmf model"));
    }

    /** The fixed header with its checksum recomputed, so that only what the test changes is wrong. */
    private static byte[] withFixedFields(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(offset, value);
        CRC32 crc = new CRC32();
        crc.update(copy, 0, 32);
        b.putInt(32, (int) crc.getValue());
        return copy;
    }

    @Test
    void aNewerFormatAsksForANewerJnmf() throws IOException {
        byte[] bytes = Files.readAllBytes(saved());
        Path newer = dir.resolve("newer.jnmf");
        Files.write(newer, withFixedFields(bytes, 8, 2));
        String message = refused(newer).getMessage();
        assertTrue(message.contains("newer jnmf") && message.contains("format 2") && message.contains("upgrade"),
                message);
    }

    @ParameterizedTest(name = "field at byte {0}")
    @ValueSource(ints = {12, 16, 20})
    void absurdSizesAreRefusedWithoutAllocating(int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(saved());
        Path absurd = dir.resolve("absurd.jnmf");
        // 2³¹−1 rows, columns or rank: terabytes that a lying header must not make us allocate.
        Files.write(absurd, withFixedFields(bytes, offset, Integer.MAX_VALUE));
        String message = refused(absurd).getMessage();
        assertTrue(message.contains("truncated") && message.contains("2147483647"), message);
        Files.write(absurd, withFixedFields(bytes, offset, -5));
        assertTrue(refused(absurd).getMessage().contains("impossible sizes"));
        Files.write(absurd, withFixedFields(bytes, 28, Integer.MAX_VALUE));
        assertTrue(refused(absurd).getMessage().contains("impossible sizes"));
        Files.write(absurd, withFixedFields(bytes, 24, 2));
        assertTrue(refused(absurd).getMessage().contains("impossible sizes"));
    }

    /** The file's last 4 bytes set to the CRC-32 of all before them, so that only what the test changes is wrong. */
    private static byte[] withTrailingChecksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    @Test
    void intactChecksumsDoNotMakeBadFactorsOrADisagreeingHeaderAModel() throws IOException {
        NmfModel model = NmfModel.of(DenseMatrix.of(new double[][] {{1, 0}, {2, 3}}),
                DenseMatrix.of(new double[][] {{1, 2, 3}, {0, 5, 6}}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.writeTo(out);
        byte[] bytes = out.toByteArray();
        int values = 36 + ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(28);
        Path bad = dir.resolve("bad.jnmf");
        // H[1][2]: after the 4 values of W, value 5 (0-based) of H.
        for (double x : new double[] {-1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            byte[] copy = bytes.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putDouble(values + 8 * (4 + 5), x);
            Files.write(bad, withTrailingChecksum(copy));
            String message = refused(bad).getMessage();
            assertTrue(message.contains("not a valid model: H holds " + x + " at row 1, column 2")
                    && message.contains("finite and ≥ 0"), message);
        }
        String header = new String(bytes, 36, values - 36, java.nio.charset.StandardCharsets.UTF_8);
        for (String[] change : new String[][] {{"\"rows\": 2", "\"rows\": 3"}, {"\"rank\": 2", "\"rank\": 1"},
                {"\"cols\": 3", "\"cols\": 4"}, {"\"double\"", "\"single\""}}) {
            assertTrue(header.contains(change[0]), header);
            byte[] copy = bytes.clone();
            byte[] changed = header.replace(change[0], change[1]).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            System.arraycopy(changed, 0, copy, 36, changed.length);
            Files.write(bad, withTrailingChecksum(copy));
            String message = refused(bad).getMessage();
            assertTrue(message.contains("not a valid model: its header says ") && message.contains("but the fixed"
                    + " fields say"), message);
        }
        // A header that is not JSON: the refusal shows the line end after the backslash, in one line.
        byte[] copy = bytes.clone();
        byte[] broken = header.replace("\"double\"", "\"\\\nuble\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(broken, 0, copy, 36, broken.length);
        Files.write(bad, withTrailingChecksum(copy));
        String message = refused(bad).getMessage();
        assertTrue(message.contains("damaged header: ") && message.contains("bad escape \\U+000A")
                && !message.contains("\n"), message);
        Files.write(bad, bytes);
        assertEquals(model.w(), NmfModel.load(bad).w());
    }

    @Test
    void extraBytesAtTheEndAreDamage() throws IOException {
        byte[] bytes = Files.readAllBytes(saved());
        Path longer = dir.resolve("longer.jnmf");
        Files.write(longer, Arrays.copyOf(bytes, bytes.length + 3));
        assertTrue(refused(longer).getMessage().contains("damaged"));
    }

    @Test
    void aMissingFileSaysSo() {
        Path missing = dir.resolve("missing.jnmf");
        var e = assertThrows(java.io.UncheckedIOException.class, () -> NmfModel.load(missing));
        assertTrue(e.getMessage().contains("missing.jnmf") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void writeToMatchesSave() throws IOException {
        NmfModel model = fitted(Precision.SINGLE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        model.writeTo(out);
        Path file = dir.resolve("s.jnmf");
        model.save(file);
        assertArrayEquals(out.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void factorsThatDoNotFitAreRefused() {
        DenseMatrix w = DenseMatrix.of(new double[][] {{1, 2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NmfModel.of(w, DenseMatrix.of(new double[][] {{1, 2}})));
        assertTrue(e.getMessage().contains("rank"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NmfModel.of(w, DenseMatrix.of(new double[][] {{1}, {-1}})));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    /**
     * A fit replaces its checkpoint by renaming a new file over it while others read it (a test, a monitor):
     * the loader takes the size from the file it opened, so a reader sees the old or the new model whole.
     */
    @Test
    void aModelReplacedWhileItIsLoadedIsReadWholeOldOrNew(@org.junit.jupiter.api.io.TempDir Path folder)
            throws Exception {
        Path small = folder.resolve("small.jnmf");
        Path large = folder.resolve("large.jnmf");
        NmfModel.of(DenseMatrix.wrap(2, 1, new double[] {1, 2}), DenseMatrix.wrap(1, 2, new double[] {3, 4})).save(small);
        double[] big = new double[200];
        java.util.Arrays.fill(big, 1);
        NmfModel.of(DenseMatrix.wrap(200, 1, big.clone()), DenseMatrix.wrap(1, 200, big.clone())).save(large);
        Path target = folder.resolve("live.jnmf");
        Files.copy(small, target);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    Path temp = folder.resolve("temp-" + i);
                    Files.copy(i % 2 == 0 ? large : small, temp);
                    Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 2000; i++) {
                int rows = NmfModel.load(target).rows();
                assertTrue(rows == 2 || rows == 200, "rows " + rows);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
