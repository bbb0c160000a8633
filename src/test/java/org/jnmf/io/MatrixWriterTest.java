package org.jnmf.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixWriterTest {
    @TempDir
    Path dir;

    private static DenseMatrix random(int rows, int cols, Precision precision) {
        SplittableRandom random = new SplittableRandom(7);
        DenseMatrix.Builder b = new DenseMatrix.Builder(rows, cols, precision);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                b.set(i, j, random.nextDouble() * Math.pow(10, random.nextInt(-8, 8)));
            }
        }
        return b.build();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void npyRoundTripKeepsPrecisionAndBits() {
        for (Precision precision : Precision.values()) {
            DenseMatrix m = random(7, 5, precision);
            Path p = dir.resolve("m-" + precision.label() + ".npy");
            MatrixWriter.write(m, p);
            assertEquals(m, MatrixReader.read(p));
        }
    }

    @Test
    void npyHeaderIsNumpyFormatOneAlignedTo64() throws IOException {
        Path p = dir.resolve("h.npy");
        MatrixWriter.writeNpy(DenseMatrix.of(new float[][] {{1, 2, 3}}), p);
        byte[] bytes = Files.readAllBytes(p);
        assertEquals(128 + 12, bytes.length);
        String header = new String(bytes, 10, 118, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }"), header);
        assertTrue(header.endsWith(" \n"));
    }

    @Test
    void csvAndTsvRoundTripExactly() {
        DenseMatrix m = random(6, 4, Precision.DOUBLE);
        Path csv = dir.resolve("m.csv");
        Path tsv = dir.resolve("m.tsv");
        MatrixWriter.write(m, csv);
        MatrixWriter.write(m, tsv);
        assertEquals(m, MatrixReader.read(csv));
        assertEquals(m, MatrixReader.read(tsv));
        DenseMatrix single = random(3, 3, Precision.SINGLE);
        MatrixWriter.writeCsv(single, csv);
        assertEquals(single, ((DenseMatrix) MatrixReader.read(csv)).toPrecision(Precision.SINGLE));
    }

    @Test
    void writesLeaveNoTemporaryFilesAndReplaceOldOnes() throws IOException {
        Path p = dir.resolve("x.csv");
        MatrixWriter.write(DenseMatrix.of(new double[][] {{1}}), p);
        MatrixWriter.write(DenseMatrix.of(new double[][] {{2}}), p);
        MatrixWriter.writeText(dir.resolve("summary.json"), "{\"é\": 1}\n");
        assertEquals(List.of("summary.json", "x.csv"), files());
        assertEquals("2.0\n", Files.readString(p));
        assertEquals("{\"é\": 1}\n", Files.readString(dir.resolve("summary.json")));
    }

    @Test
    void failedWriteLeavesNothing() throws IOException {
        Path target = dir.resolve("broken.npy");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("broken.npy") && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void writeAllIsAllOrNothing() throws IOException {
        Path old = dir.resolve("a.csv");
        Files.writeString(old, "old\n");
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(old, MatrixWriter.delimited(DenseMatrix.of(new double[][] {{1}}), ','));
        files.put(dir.resolve("b.npy"), out -> {
            throw new IllegalStateException("boom");
        });
        assertThrows(IllegalStateException.class, () -> AtomicFiles.writeAll(files));
        assertEquals(List.of("a.csv"), files());
        assertEquals("old\n", Files.readString(old));

        files.put(dir.resolve("b.npy"), MatrixWriter.npy(DenseMatrix.of(new double[][] {{2}})));
        AtomicFiles.writeAll(files);
        assertEquals(List.of("a.csv", "b.npy"), files());
        assertArrayEquals(new double[] {2}, ((DenseMatrix) MatrixReader.read(dir.resolve("b.npy"))).toDoubleArray());
    }

    @Test
    void writeIntoMissingFolderFailsCleanly() {
        Path target = dir.resolve("no/such/folder/m.npy");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> MatrixWriter.write(DenseMatrix.of(new double[][] {{1}}), target));
        assertTrue(e.getMessage().contains("m.npy"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void unknownWriteExtensionIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixWriter.write(DenseMatrix.of(new double[][] {{1}}), dir.resolve("m.xlsx")));
        assertTrue(e.getMessage().contains(".npy, .csv and .tsv"), e.getMessage());
    }
}
