package org.jnmf.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixReaderTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(MatrixReaderTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path text(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private Path bytes(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(content);
        }
        return out.toByteArray();
    }

    /** An .npy file of the given version with a raw header dict and data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        b.put(header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        b.put(data);
        return b.array();
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private MatrixFormatException fails(Path p) {
        return fails(p, ReadOptions.defaults());
    }

    private MatrixFormatException fails(Path p, ReadOptions options) {
        MatrixFormatException e = assertThrows(MatrixFormatException.class, () -> MatrixReader.read(p, options));
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private static void assertAt(MatrixFormatException e, long line, long column, String... phrases) {
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        String where = column > 0 ? "line " + line + ", column " + column : "line " + line;
        assertTrue(e.getMessage().contains(where), e.getMessage());
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), () -> "'" + phrase + "' missing from: " + e.getMessage());
        }
    }

    // ---- fixtures ----

    @Test
    void readsDenseFixture() {
        DenseMatrix m = (DenseMatrix) MatrixReader.read(fixture("dense60x40.npy"));
        assertEquals(60, m.rows());
        assertEquals(40, m.cols());
        assertEquals(Precision.DOUBLE, m.precision());
        assertEquals(1.3801712351344537, m.get(0, 0));
        assertEquals(2.1923690433965066, m.get(59, 39));
        assertEquals(3166.9290649366285, Arrays.stream(m.toDoubleArray()).sum(), 1e-9);
    }

    @Test
    void readsSparseFixture() {
        SparseMatrix m = (SparseMatrix) MatrixReader.read(fixture("sparse80x120.mtx"));
        assertEquals(80, m.rows());
        assertEquals(120, m.cols());
        assertEquals(960, m.nonZeros());
        assertEquals(4.0, m.get(0, 3));
        assertEquals(3.0, m.get(79, 118));
        assertEquals(3785.0, Arrays.stream(m.values()).sum());
    }

    @Test
    void readsGzipFixtures() throws IOException {
        Path npyGz = bytes("d.npy.gz", gzip(Files.readAllBytes(fixture("dense60x40.npy"))));
        Path mtxGz = bytes("s.MTX.GZ", gzip(Files.readAllBytes(fixture("sparse80x120.mtx"))));
        assertEquals(MatrixReader.read(fixture("dense60x40.npy")), MatrixReader.read(npyGz));
        SparseMatrix plain = (SparseMatrix) MatrixReader.read(fixture("sparse80x120.mtx"));
        SparseMatrix zipped = (SparseMatrix) MatrixReader.read(mtxGz);
        assertArrayEquals(plain.rowStart(), zipped.rowStart());
        assertArrayEquals(plain.columnIndices(), zipped.columnIndices());
        assertArrayEquals(plain.values(), zipped.values());
    }

    @Test
    void readsSharedDataWhenPresent() {
        Path golub = Path.of("..", "shared", "data", "genes", "golub_esGolub_5000x38.csv.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(golub),
                "../shared/data is not beside the project; skipping the real-data read");
        Matrix m = MatrixReader.read(golub);
        assertEquals(5000, m.rows());
        assertEquals(38, m.cols());
    }

    // ---- Matrix Market ----

    @Test
    void readsCoordinateWithCommentsBlankLinesCrlfAndAnyOrder() throws IOException {
        Path p = text("a.mtx", "%%MatrixMarket matrix coordinate real general\r\n% comment\r\n\r\n2 3 3\r\n"
                + "2 3 -1.5e0\r\n1 1 0.1\r\n\r\n2 1 7\r\n");
        SparseMatrix m = (SparseMatrix) MatrixReader.read(p);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertEquals(0.1, m.get(0, 0));
        assertEquals(7.0, m.get(1, 0));
        assertEquals(-1.5, m.get(1, 2));
        assertEquals(0.0, m.get(0, 2));
    }

    @Test
    void readsIntegerPatternAndSymmetric() throws IOException {
        SparseMatrix pattern = (SparseMatrix) MatrixReader.read(
                text("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 2\n2 1\n"));
        assertEquals(1.0, pattern.get(0, 1));
        assertEquals(1.0, pattern.get(1, 0));
        assertEquals(0.0, pattern.get(0, 0));
        SparseMatrix sym = (SparseMatrix) MatrixReader.read(
                text("s.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n3 3 3\n1 1 5\n3 1 2\n3 2 4\n"));
        assertEquals(5, sym.nonZeros());
        assertEquals(2.0, sym.get(0, 2));
        assertEquals(2.0, sym.get(2, 0));
        assertEquals(4.0, sym.get(1, 2));
        assertEquals(4.0, sym.get(2, 1));
    }

    @Test
    void readsArrayInColumnMajorOrder() throws IOException {
        DenseMatrix m = (DenseMatrix) MatrixReader.read(
                text("a.mtx", "%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n"));
        assertArrayEquals(new double[] {1, 3, 5, 2, 4, 6}, m.toDoubleArray());
        DenseMatrix s = (DenseMatrix) MatrixReader.read(
                text("s.mtx", "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n"));
        assertArrayEquals(new double[] {1, 2, 2, 3}, s.toDoubleArray());
    }

    @Test
    void keepsValuesExactlyAsWritten() throws IOException {
        double[] values = {0.1, 1e-300, 123456789.123456789, Double.MIN_VALUE, -0.0, Double.NaN,
                Double.NEGATIVE_INFINITY, 4.9e-324, 1.7976931348623157e308};
        StringBuilder csv = new StringBuilder();
        StringBuilder mtx = new StringBuilder("%%MatrixMarket matrix coordinate real general\n1 "
                + values.length + " " + values.length + "\n");
        for (int j = 0; j < values.length; j++) {
            csv.append(j == 0 ? "" : ",").append(values[j]);
            mtx.append("1 ").append(j + 1).append(' ').append(values[j]).append('\n');
        }
        double[] fromCsv = ((DenseMatrix) MatrixReader.read(text("v.csv", csv + "\n"))).toDoubleArray();
        SparseMatrix fromMtx = (SparseMatrix) MatrixReader.read(text("v.mtx", mtx.toString()));
        for (int j = 0; j < values.length; j++) {
            assertEquals(Double.doubleToRawLongBits(values[j]), Double.doubleToRawLongBits(fromCsv[j]), "csv " + j);
            assertEquals(Double.doubleToRawLongBits(values[j]), Double.doubleToRawLongBits(fromMtx.get(0, j)), "mtx " + j);
        }
        DenseMatrix specials = (DenseMatrix) MatrixReader.read(text("n.csv", "nan,inf,-inf,Infinity,NaN,+2,.5,5.\n"));
        double[] s = specials.toDoubleArray();
        assertTrue(Double.isNaN(s[0]) && Double.isNaN(s[4]));
        assertEquals(Double.POSITIVE_INFINITY, s[1]);
        assertEquals(Double.NEGATIVE_INFINITY, s[2]);
        assertEquals(Double.POSITIVE_INFINITY, s[3]);
        assertArrayEquals(new double[] {2, 0.5, 5}, Arrays.copyOfRange(s, 5, 8));
    }

    @Test
    void mtxErrors() throws IOException {
        assertAt(fails(text("b.mtx", "%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n")), 1, 1,
                "%%MatrixMarket");
        assertAt(fails(text("c.mtx", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n")), 1, 34,
                "complex");
        assertAt(fails(text("k.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 1\n")), 1, 39,
                "skew-symmetric");
        assertAt(fails(text("s.mtx", "%%MatrixMarket matrix coordinate real general\n% c\n2 x 1\n1 1 1\n")), 3, 3,
                "'x'", "not a non-negative integer");
        assertAt(fails(text("n.mtx", "%%MatrixMarket matrix coordinate real general\n2 2\n1 1 1\n")), 2, 1,
                "size line needs 3 integers");
        assertAt(fails(text("r.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n3 1 1\n")), 4, 1,
                "row index 3 is out of range 1..2", "1-based");
        assertAt(fails(text("z.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n1 0 1\n")), 4, 3,
                "column index 0 is out of range 1..2");
        assertAt(fails(text("v.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n1 2 abc\n")), 4, 5,
                "'abc' is not a number");
        assertAt(fails(text("f.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n1 2\n")), 4, 4,
                "expected 3 values");
        assertAt(fails(text("d.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n1 1 5\n")),
                5, 1, "entry (1, 1) appears again (first on line 3)");
        assertAt(fails(text("t.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n")), 5, 1,
                "ends after 2 of the 3 entries", "truncated");
        assertAt(fails(text("x.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 1\n")), 4, 1,
                "more entries than the 1");
        assertAt(fails(text("u.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n")), 3, 1,
                "above the diagonal");
        assertAt(fails(text("q.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n1 1 1\n")), 2, 1,
                "must be square");
        assertAt(fails(text("a.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n")), 6, 1,
                "ends after 3 of the 4 values");
        assertAt(fails(text("e.mtx", "%%MatrixMarket matrix array real general\n1 1\n1\n2\n")), 4, 1,
                "more values than the 1");
        assertAt(fails(text("h.mtx", "%%MatrixMarket matrix coordinate real general\n% only comments\n")), 3, 1,
                "before the size line");
        assertAt(fails(text("0.mtx", "%%MatrixMarket matrix coordinate real general\n0 5 0\n")), 2, 1,
                "empty (0×5)");
        assertAt(fails(text("p.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 10\n1 1 1\n")), 2, 1,
                "at most 9 distinct positions");
    }

    @Test
    void absurdDeclaredSizesAreRefusedBeforeAllocating() throws IOException {
        MatrixFormatException e = fails(text("big.mtx",
                "%%MatrixMarket matrix coordinate real general\n2000000000 2000000000 1000000000000\n1 1 1\n"));
        assertAt(e, 2, 1, "1000000000000 entries", "bytes");
        assertAt(fails(text("bigarray.mtx", "%%MatrixMarket matrix array real general\n100000 100000\n1\n")), 2, 1,
                "100000×100000", "truncated");
        // Compressed: the count is only a claim, so the reader grows storage and fails at the real end...
        Path gz = bytes("big.mtx.gz", gzip(("%%MatrixMarket matrix coordinate real general\n"
                + "2000000 2000000 1000000\n1 1 1\n").getBytes(StandardCharsets.US_ASCII)));
        assertAt(fails(gz), 4, 1, "ends after 1 of the 1000000 entries");
        // ...unless the claim could not fit in the heap at all: then it is refused before reading on.
        Path huge = bytes("huge.mtx.gz", gzip(("%%MatrixMarket matrix coordinate real general\n"
                + "2000000 2000000 2000000000\n1 1 1\n").getBytes(StandardCharsets.US_ASCII)));
        MatrixTooLargeException tooLarge = assertThrows(MatrixTooLargeException.class, () -> MatrixReader.read(huge));
        assertTrue(tooLarge.getMessage().startsWith(huge + ", line 2: a 2000000×2000000 sparse matrix"),
                tooLarge.getMessage());
        assertTrue(tooLarge.getMessage().contains("-Xmx"), tooLarge.getMessage());
        assertTrue(tooLarge.needed() > tooLarge.available());
        MatrixFormatException npyPlain = fails(bytes("big.npy", npy(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100000000), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 1, 2))));
        assertTrue(npyPlain.getMessage().contains("needs 80000000000000000 data bytes but the file holds 16"),
                npyPlain.getMessage());
        byte[] npyHeader = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 1, 2));
        Path npyGz = bytes("big.npy.gz", gzip(npyHeader));
        MatrixFormatException z = fails(npyGz);
        assertTrue(z.getMessage().contains("byte 144") && z.getMessage().contains("truncated"), z.getMessage());
        byte[] hugeNpy = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100000000), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 1, 2));
        Path hugeGz = bytes("huge.npy.gz", gzip(hugeNpy));
        MatrixTooLargeException refused = assertThrows(MatrixTooLargeException.class, () -> MatrixReader.read(hugeGz));
        assertTrue(refused.getMessage().contains("shape (100000000, 100000000)")
                && refused.getMessage().contains("needs 142.1 PiB, more than the Java heap can hold"), refused.getMessage());
    }

    @Test
    void absurdRowCountOfASparseFileIsBoundedByTheHeap() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < 16L << 30,
                "the heap is large enough to hold 8 GiB of row pointers");
        Path rows = text("rows.mtx", "%%MatrixMarket matrix coordinate real general\n2147483000 1 1\n1 1 1\n");
        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class, () -> MatrixReader.read(rows));
        assertTrue(e.getMessage().startsWith(rows + ", line 2: a 2147483000×1 sparse matrix (2147483000 row pointers)"
                + " needs 16.0 GiB of Java heap but only "), e.getMessage());
        assertTrue(e.getMessage().contains("JNMF_JAVA_OPTS=-Xmx"), e.getMessage());
    }

    // ---- NumPy ----

    @Test
    void readsNpyVersionsOrdersAndPrecisions() throws IOException {
        byte[] data = doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
        for (int version = 1; version <= 3; version++) {
            DenseMatrix c = (DenseMatrix) MatrixReader.read(bytes("c" + version + ".npy",
                    npy(version, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data)));
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.toDoubleArray());
        }
        DenseMatrix f = (DenseMatrix) MatrixReader.read(bytes("f.npy",
                npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data)));
        assertArrayEquals(new double[] {1, 3, 5, 2, 4, 6}, f.toDoubleArray());
        DenseMatrix big = (DenseMatrix) MatrixReader.read(bytes("b.npy",
                npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 2), }",
                        doubles(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4, 5, 6))));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, big.toDoubleArray());
        DenseMatrix single = (DenseMatrix) MatrixReader.read(bytes("s.npy.gz", gzip(
                npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", floats(0.1f, 2, 3, 4)))));
        assertEquals(Precision.SINGLE, single.precision());
        assertEquals(0.1f, single.floatBlock(0)[0]);
        assertArrayEquals(new float[] {0.1f, 3, 2, 4}, single.floatBlock(0));
    }

    @Test
    void mappedNpyEqualsTheStreamedReadingInEveryLayout() throws IOException {
        int rows = 300;
        int cols = 170;
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] f = new float[rows * cols];
        double[] d = new double[rows * cols];
        for (int e = 0; e < f.length; e++) {
            f[e] = (float) random.nextDouble();
            d[e] = random.nextDouble() * 1e6;
        }
        for (boolean fortran : new boolean[] {false, true}) {
            String shape = "'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + rows + ", " + cols + "), }";
            byte[] single = npy(1, "{'descr': '<f4', " + shape, floats(f));
            byte[] big = npy(2, "{'descr': '>f8', " + shape, doubles(ByteOrder.BIG_ENDIAN, d));
            for (byte[] file : new byte[][] {single, big}) {
                DenseMatrix mapped = (DenseMatrix) MatrixReader.read(bytes("m.npy", file));
                DenseMatrix streamed = (DenseMatrix) MatrixReader.read(bytes("m.npy.gz", gzip(file)));
                assertEquals(streamed, mapped);
                int e = 123 * cols + 45; // element (123, 45) of the row-major matrix
                int stored = fortran ? 45 * rows + 123 : e;
                assertEquals(file == single ? f[stored] : d[stored], mapped.get(123, 45));
            }
        }
    }

    @Test
    void npyErrors() throws IOException {
        byte[] good = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        MatrixFormatException truncated = fails(bytes("t.npy", Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("byte 157") && truncated.getMessage().contains("truncated"),
                truncated.getMessage());
        MatrixFormatException truncatedGz = fails(bytes("t.npy.gz", gzip(Arrays.copyOf(good, good.length - 3))));
        assertTrue(truncatedGz.getMessage().contains("byte 157") && truncatedGz.getMessage().contains("3 of the 4"),
                truncatedGz.getMessage());
        MatrixFormatException trailing = fails(bytes("x.npy", Arrays.copyOf(good, good.length + 8)));
        assertTrue(trailing.getMessage().contains("byte 160"), trailing.getMessage());
        MatrixFormatException magic = fails(bytes("m.npy", "not numpy at all".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(magic.getMessage().contains("byte 0") && magic.getMessage().contains("NUMPY"), magic.getMessage());
        MatrixFormatException dtype = fails(bytes("c.npy",
                npy(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }", new byte[16])));
        assertTrue(dtype.getMessage().contains("'<c16'") && dtype.getMessage().contains("astype"), dtype.getMessage());
        MatrixFormatException oneD = fails(bytes("v.npy",
                npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new byte[24])));
        assertTrue(oneD.getMessage().contains("1 dimension") && oneD.getMessage().contains("reshape"),
                oneD.getMessage());
        MatrixFormatException header = fails(bytes("h.npy",
                npy(1, "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 1), }", new byte[8])));
        assertTrue(header.getMessage().contains("byte 44") && header.getMessage().contains("True or False"),
                header.getMessage());
        MatrixFormatException empty = fails(bytes("e.npy",
                npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", new byte[0])));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        byte[] hugeHeader = Arrays.copyOf(good, 16);
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).put(6, (byte) 2).putInt(8, 2_000_000_000);
        MatrixFormatException huge = fails(bytes("l.npy", hugeHeader));
        assertTrue(huge.getMessage().contains("byte 8") && huge.getMessage().contains("2000000000"),
                huge.getMessage());
        MatrixFormatException version = fails(bytes("w.npy", Arrays.copyOf(npy(4, "{}", new byte[0]), 20)));
        assertTrue(version.getMessage().contains("version 4.0"), version.getMessage());
    }

    @Test
    void integerAndBooleanNpyReadAsFloat64() throws IOException {
        ByteBuffer i8 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(7).putLong(1L << 40)
                .putLong(-3);
        ByteBuffer u8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(5);
        ByteBuffer i2 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putShort((short) 1).putShort((short) -2)
                .putShort((short) 300).putShort((short) 4);
        ByteBuffer i4 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(3).putInt(4);
        Object[][] cases = {
            {"<i8", "(2, 2)", false, i8.array(), new double[] {0, 7, 1L << 40, -3}},
            {"<u8", "(1, 2)", false, u8.array(), new double[] {18446744073709551615.0, 5}},
            {">i2", "(2, 2)", false, i2.array(), new double[] {1, -2, 300, 4}},
            {"<i4", "(2, 2)", true, i4.array(), new double[] {1, 3, 2, 4}},
            {"|u1", "(1, 3)", false, new byte[] {0, (byte) 200, 9}, new double[] {0, 200, 9}},
            {"|i1", "(1, 2)", false, new byte[] {(byte) -1, 9}, new double[] {-1, 9}},
            {"|b1", "(1, 3)", false, new byte[] {1, 0, 1}, new double[] {1, 0, 1}},
        };
        for (Object[] c : cases) {
            byte[] file = npy(1, "{'descr': '" + c[0] + "', 'fortran_order': " + ((boolean) c[2] ? "True" : "False")
                    + ", 'shape': " + c[1] + ", }", (byte[]) c[3]);
            for (String name : List.of("n.npy", "n.npy.gz")) {
                DenseMatrix m = (DenseMatrix) MatrixReader.read(bytes(name, name.endsWith(".gz") ? gzip(file) : file));
                assertEquals(Precision.DOUBLE, m.precision(), c[0] + " " + name);
                assertArrayEquals((double[]) c[4], m.toDoubleArray(), c[0] + " " + name);
            }
        }
        MatrixFormatException shortData = fails(bytes("s.npy",
                npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", new byte[12])));
        assertTrue(shortData.getMessage().contains("needs 16 data bytes but the file holds 12"), shortData.getMessage());
    }

    // ---- CSV and TSV ----

    @Test
    void readsCsvAndTsvWithCrlfSpacesQuotesAndBlankLines() throws IOException {
        DenseMatrix csv = (DenseMatrix) MatrixReader.read(text("a.csv", "1, 2 ,\"3\"\r\n\r\n4,5,6\r\n"));
        assertEquals(Precision.DOUBLE, csv.precision());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, csv.toDoubleArray());
        DenseMatrix tsv = (DenseMatrix) MatrixReader.read(text("a.tsv", "1\t2\n3\t4\n"));
        assertArrayEquals(new double[] {1, 2, 3, 4}, tsv.toDoubleArray());
        DenseMatrix gz = (DenseMatrix) MatrixReader.read(bytes("a.tsv.gz",
                gzip("\uFEFF1\t2\r\n3\t4".getBytes(StandardCharsets.UTF_8))));
        assertArrayEquals(new double[] {1, 2, 3, 4}, gz.toDoubleArray());
    }

    @Test
    void headerAndRowNamesOfTextAreDetected() throws IOException {
        DenseMatrix both = (DenseMatrix) MatrixReader.read(text("n.csv",
                ",a,b\nr1,1,2\n\"r,2\",3,4\n"));
        assertEquals(2, both.rows());
        assertArrayEquals(new double[] {1, 2, 3, 4}, both.toDoubleArray());
        DenseMatrix rCorner = (DenseMatrix) MatrixReader.read(text("r.tsv", "a\tb\nx\t1\t2\ny\t3\t4\n"));
        assertArrayEquals(new double[] {1, 2, 3, 4}, rCorner.toDoubleArray());
        DenseMatrix plain = (DenseMatrix) MatrixReader.read(text("p.csv", "1,2\n3,4\n"));
        assertEquals(2, plain.rows());
        // Asked for: a numeric first row or column is dropped too.
        DenseMatrix asked = (DenseMatrix) MatrixReader.read(text("k.csv", "10,20,30\n1,2,3\n4,5,6\n"),
                ReadOptions.defaults().withHeader(true).withRowNames(true));
        assertArrayEquals(new double[] {2, 3, 5, 6}, asked.toDoubleArray());
    }

    private static final ReadOptions WITH_MISSING = ReadOptions.defaults().withMissingValues(true);

    @Test
    void rWriteCsvWithNaKeepsItsNamesAndReadsNaAsMissing() throws IOException {
        Path file = text("r.csv", "\"\",\"S1\",\"S2\",\"S3\"\n\"TP53\",1.5,NA,2\n\"BRCA1\",0.5,3,NA\n");
        LabeledMatrix read = MatrixReader.readLabeled(file, WITH_MISSING);
        assertEquals(List.of("TP53", "BRCA1"), read.rowNames());
        assertEquals(List.of("S1", "S2", "S3"), read.columnNames());
        assertArrayEquals(new double[] {1.5, Double.NaN, 2, 0.5, 3, Double.NaN},
                ((DenseMatrix) read.matrix()).toDoubleArray());
        assertEquals(List.of(), read.notes());
        assertAt(fails(file), 2, 12, "'NA' (value 3 of the row), a missing value", "--missing nan");
    }

    @Test
    void pandasToCsvWithAnIndexAndEmptyFields() throws IOException {
        // pd.DataFrame(a).to_csv(f): an empty corner, numbers as column names, the index 0…n-1 as row names.
        Path file = text("p.csv", ",0,1,2\n0,1.5,,2.0\n1,,3.0,0.25\n");
        LabeledMatrix read = MatrixReader.readLabeled(file, WITH_MISSING);
        assertEquals(List.of("0", "1"), read.rowNames());
        assertEquals(List.of("0", "1", "2"), read.columnNames());
        assertArrayEquals(new double[] {1.5, Double.NaN, 2, Double.NaN, 3, 0.25},
                ((DenseMatrix) read.matrix()).toDoubleArray());
        assertTrue(read.notes().getFirst().contains("--no-row-names"), read.notes().toString());
        assertAt(fails(file), 2, 7, "value 3 is empty, a missing value", "--missing nan");
    }

    @Test
    void aHeaderOfNumbersBesideRowNamesIsTakenWhenTheDataHoldFractions() throws IOException {
        LabeledMatrix years = MatrixReader.readLabeled(text("y.csv",
                "gene,2019,2020,2021\nTP53,1.25,2.5,3\nMYC,0.5,0.75,1\n"), ReadOptions.defaults());
        assertEquals(List.of("TP53", "MYC"), years.rowNames());
        assertEquals(List.of("2019", "2020", "2021"), years.columnNames());
        assertEquals(2, years.matrix().rows());
        assertTrue(years.notes().getFirst().contains("read as the header")
                && years.notes().getFirst().contains("--no-header"), years.notes().toString());
        // Whole numbers everywhere cannot be told apart: read as data, with a note naming --header.
        LabeledMatrix counts = MatrixReader.readLabeled(text("c.csv", "gene,2019,2020\nTP53,1,2\nMYC,3,4\n"),
                ReadOptions.defaults());
        assertEquals(List.of("gene", "TP53", "MYC"), counts.rowNames());
        assertEquals(3, counts.matrix().rows());
        assertTrue(counts.notes().getFirst().contains("pass --header"), counts.notes().toString());
        // The options decide, whatever the file holds.
        LabeledMatrix asked = MatrixReader.readLabeled(text("a.csv", "gene,2019,2020\nTP53,1,2\nMYC,3,4\n"),
                ReadOptions.defaults().withHeader(true));
        assertEquals(List.of("2019", "2020"), asked.columnNames());
        assertEquals(List.of(), asked.notes());
        LabeledMatrix data = MatrixReader.readLabeled(text("d.csv", "gene,2019,2020\nTP53,1.5,2\n"),
                ReadOptions.defaults().withHeader(false));
        assertEquals(List.of("gene", "TP53"), data.rowNames());
    }

    @Test
    void numericRowIdsAreNamesNotData() throws IOException {
        // Entrez ids beside expression values (fractions): ids, with a note.
        LabeledMatrix ids = MatrixReader.readLabeled(text("e.csv", "7157,1.5,2\n672,0.5,3\n7,2,1\n"),
                ReadOptions.defaults());
        assertEquals(List.of("7157", "672", "7"), ids.rowNames());
        assertEquals(2, ids.matrix().cols());
        assertTrue(ids.notes().getFirst().contains("--no-row-names"), ids.notes().toString());
        // Counts beside counts: ids only when the header names the column like one.
        LabeledMatrix named = MatrixReader.readLabeled(text("n.csv", "entrez_id,s1,s2\n7157,1,2\n672,3,4\n"),
                ReadOptions.defaults());
        assertEquals(List.of("7157", "672"), named.rowNames());
        assertEquals(List.of("s1", "s2"), named.columnNames());
        LabeledMatrix plain = MatrixReader.readLabeled(text("q.csv", "a,b,c\n7157,1,2\n672,3,4\n"),
                ReadOptions.defaults());
        assertEquals(List.of(), plain.rowNames());
        assertEquals(3, plain.matrix().cols());
        // Ids that repeat are data; and --no-row-names keeps a column of ids as data.
        assertEquals(List.of(), MatrixReader.readLabeled(text("r.csv", "1,1.5,2\n1,0.5,3\n"),
                ReadOptions.defaults()).rowNames());
        LabeledMatrix kept = MatrixReader.readLabeled(text("k.csv", "7157,1.5,2\n672,0.5,3\n"),
                ReadOptions.defaults().withRowNames(false));
        assertEquals(3, kept.matrix().cols());
        assertEquals(List.of(), kept.notes());
    }

    @Test
    void namesWrittenWithAMatrixReadBackAsNames() throws IOException {
        DenseMatrix m = DenseMatrix.of(new double[][] {{1, 2.5}, {0, 1e-3}});
        List<String> rows = List.of("7157", "gene, \"quoted\"");
        List<String> cols = List.of("2019", "S 2");
        for (String name : List.of("n.csv", "n.tsv")) {
            Path file = dir.resolve(name);
            AtomicFiles.write(file, MatrixWriter.contentFor(m, file, rows, cols));
            LabeledMatrix back = MatrixReader.readLabeled(file, ReadOptions.defaults());
            assertEquals(rows, back.rowNames(), name);
            assertEquals(cols, back.columnNames(), name);
            assertArrayEquals(m.toDoubleArray(), ((DenseMatrix) back.matrix()).toDoubleArray(), name);
            assertEquals(List.of(), back.notes(), name);
        }
    }

    @Test
    void csvErrors() throws IOException {
        assertAt(fails(text("m.csv", "1,2,3\n4,5\n")), 2, 4, "this row has 2 values but line 1 has 3");
        assertAt(fails(text("l.csv", "1,2\n4,5,6\n")), 2, 5, "this row has 3 values but line 1 has 2");
        assertAt(fails(text("x.csv", "1,2\n3,abc\n")), 2, 3, "'abc' is not a number");
        assertAt(fails(text("g.csv", "1,name\n3,4\n"), ReadOptions.defaults().withHeader(false)), 1, 3,
                "'name' is not a number", "drop --no-header");
        assertAt(fails(text("h.csv", "1,2\nname,3\n"), ReadOptions.defaults().withRowNames(false)), 2, 1,
                "'name' is not a number", "row-names");
        assertAt(fails(text("f.csv", "1,2\nx,4\n5,6\n")), 2, 1, "'x' is not a number", "row-names",
                "line 1 has a number");
        assertAt(fails(text("e.csv", "1,,3\n")), 1, 3, "value 2 is empty, a missing value", "--missing nan");
        assertAt(fails(text("na.csv", "1,2,3\n4,NA,6\n")), 2, 3, "'NA' (value 2 of the row), a missing value",
                "--missing nan");
        assertAt(fails(text("q.csv", "1,\"2\n")), 1, 3, "quote");
        assertAt(fails(text("o.csv", "a,b,c\n")), 2, 1, "no data rows");
        assertAt(fails(text("w.csv", "a,b,c\n1,2\n")), 1, 1, "header has 3 names but line 2 has 2");
        assertAt(fails(text("c.csv", "a\nb\nc\n")), 1, 1, "names only");
        MatrixFormatException blank = fails(text("b.csv", "\n  \n"));
        assertTrue(blank.getMessage().contains("no rows"), blank.getMessage());
    }

    // ---- text encodings ----

    @Test
    void unicodeOdditiesAreAcceptedOrNamed() throws IOException {
        // Accepted: a UTF-8 byte-order mark, CRLF and lone-CR line ends.
        DenseMatrix bom = (DenseMatrix) MatrixReader.read(text("bom.csv", "\uFEFF1,2\r\n3,4\r\n"));
        assertArrayEquals(new double[] {1, 2, 3, 4}, bom.toDoubleArray());
        DenseMatrix cr = (DenseMatrix) MatrixReader.read(text("cr.csv", "1,2\r3,4\r"));
        assertArrayEquals(new double[] {1, 2, 3, 4}, cr.toDoubleArray());
        SparseMatrix mtx = (SparseMatrix) MatrixReader.read(text("bom.mtx",
                "\uFEFF%%MatrixMarket matrix coordinate real general\r\n1 1 1\r\n1 1 2\r\n"));
        assertEquals(2.0, mtx.get(0, 0));
        // Refused, naming the character that looks right but is not ASCII.
        assertAt(fails(text("nbsp.csv", "1,\u00A02\n")), 1, 3, "U+00A0 NO-BREAK SPACE", "ASCII digits");
        assertAt(fails(text("thousands.csv", "1,2\u00A0500\n")), 1, 3, "U+00A0 NO-BREAK SPACE");
        assertAt(fails(text("wide.csv", "1,\uFF12\n")), 1, 3, "'\uFF12'", "U+FF12 FULLWIDTH DIGIT TWO");
        assertAt(fails(text("minus.mtx", "%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 \u22121\n")),
                3, 5, "U+2212 MINUS SIGN", "is not a number");
        assertAt(fails(text("index.mtx", "%%MatrixMarket matrix coordinate real general\n1 1 1\n\uFF11 1 1\n")),
                3, 1, "row index", "U+FF11 FULLWIDTH DIGIT ONE");
        assertAt(fails(text("size.mtx", "%%MatrixMarket matrix coordinate real general\n1\u2007 1 1\n1 1 1\n")),
                2, 1, "U+2007 FIGURE SPACE", "size line");
        assertAt(fails(bytes("latin1.csv", new byte[] {'1', ',', (byte) 0xB5, '\n'})), 1, 3, "U+FFFD",
                "not UTF-8", "save the file as UTF-8");
        assertAt(fails(bytes("nul.tsv", new byte[] {'1', '\t', 0, '2', '\n'})), 1, 3, "'U+00002'");
        byte[] utf16 = "\uFEFF1,2\r\n".getBytes(StandardCharsets.UTF_16LE);
        assertAt(fails(bytes("utf16.csv", utf16)), 1, 1, "UTF-16", "save it as UTF-8");
        assertAt(fails(bytes("utf16be.mtx.gz", gzip("\uFEFF%%MatrixMarket".getBytes(StandardCharsets.UTF_16BE)))),
                1, 1, "UTF-16");
    }

    @Test
    void numbersInJavaOnlyOrLocaleFormsAndOverflowingIndicesAreRefused() throws IOException {
        assertAt(fails(text("d.csv", "1,2d\n")), 1, 3, "'2d' is not a number");
        assertAt(fails(text("h.csv", "1,0x1p3\n")), 1, 3, "'0x1p3' is not a number");
        assertAt(fails(text("u.csv", "1,1_000\n")), 1, 3, "'1_000' is not a number");
        assertAt(fails(text("c.tsv", "1\t2,5\n")), 1, 3, "'2,5' is not a number");
        assertAt(fails(text("e.csv", "1,1e\n")), 1, 3, "'1e' is not a number");
        assertAt(fails(text("p.csv", "1,1.2.3\n")), 1, 3, "'1.2.3' is not a number");
        assertAt(fails(text("s.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n+1 1 1\n")), 3, 1,
                "row index '+1'", "not a positive integer");
        assertAt(fails(text("o.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 99999999999999999999 1\n")),
                3, 3, "column index 9223372036854775807 is out of range 1..2");
        assertAt(fails(text("z.mtx", "%%MatrixMarket matrix coordinate real general\n2 99999999999999999999 1\n1 1 1\n")),
                2, 1, "more than 2³¹ rows or columns");
        MatrixFormatException npyShape = fails(bytes("o.npy", npy(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 1), }", new byte[8])));
        assertTrue(npyShape.getMessage().contains("more than 2³¹ rows or columns"), npyShape.getMessage());
        MatrixFormatException negative = fails(bytes("n.npy", npy(1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 1), }", new byte[8])));
        assertTrue(negative.getMessage().contains("expected a non-negative integer in 'shape'"), negative.getMessage());
    }

    // ---- lines: their length and their ends ----

    private static Matrix parse(String kind, String content, int maxLineBytes) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        return MatrixReader.parse(new Source("x." + kind, false, b.length, new ByteArrayInputStream(b))
                .withMaxLineBytes(maxLineBytes), kind, ReadOptions.defaults()).matrix();
    }

    private static void assertTooLong(String kind, String content, int maxLineBytes, long line) {
        MatrixFormatException e = assertThrows(MatrixFormatException.class, () -> parse(kind, content, maxLineBytes));
        assertAt(e, line, 0, "x." + kind, "the line is longer than " + maxLineBytes + " bytes",
                "one matrix row per line", "saved as .npy or .mtx");
        assertFalse(e.getMessage().contains("heap"), e.getMessage());
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedNamingFileLineAndLimit() throws IOException {
        String row = "1,2,3,4,5,6,7,8,9,10,11,12,13"; // 29 bytes
        assertEquals(13, parse("csv", "1,2,3,4,5,6,7,8,9,10,11,12,0\n" + row + "\n", 29).cols());
        assertEquals(13, parse("csv", "1,2,3,4,5,6,7,8,9,10,11,12,0\r\n" + row, 29).cols());
        assertTooLong("csv", "1,2,3,4,5,6,7,8,9,10,11,12,0\n" + row + "\n", 28, 2);
        assertTooLong("csv", "\n\n" + row, 28, 3);
        assertTooLong("tsv", "1\t2\r\n" + row.replace(',', '\t'), 28, 2);
        String mtx = "%%MatrixMarket matrix coordinate real general\n";
        assertEquals(1, ((SparseMatrix) parse("mtx", mtx + "1 1 1\n1 1 5\n", 46)).nonZeros());
        assertTooLong("mtx", mtx + "% " + "x".repeat(45) + "\r\n1 1 1\n1 1 5\n", 46, 2);
        assertTooLong("mtx", mtx + "1 1 1\n1 1 " + "5".repeat(100), 46, 3);
        // Longer than the 64 KiB read buffer: the line grows across reads up to the limit, and no further.
        String wide = "1," .repeat(60_000) + "1";
        assertEquals(60_001, parse("csv", wide + "\r\n" + wide, 120_001).cols());
        assertTooLong("csv", "0\n" + wide, 120_000, 2);
        String binary = "\u0001\u00ff\u0000x".repeat(100_000);
        assertTooLong("csv", binary, 200_000, 1);
        // A file's default limit is far above such lines.
        assertEquals(60_001, MatrixReader.read(text("wide.csv", wide + "\n" + wide)).cols());
    }

    @Test
    void lineEndsLfCrlfAndCrReadAlikeWithOrWithoutAFinalOne() throws IOException {
        String[][] files = {
                {"csv", "a,b\n1,2\n\n3,4"},
                {"tsv", "1\t2\n3\t4"},
                {"mtx", "%%MatrixMarket matrix coordinate real general\n% comment\n2 2 2\n1 2 1.5\n\n2 1 4"},
        };
        for (String[] f : files) {
            Matrix expected = parse(f[0], f[1], 64);
            for (String end : new String[] {"\n", "\r\n", "\r"}) {
                String content = f[1].replace("\n", end);
                for (String last : new String[] {"", end, end + end}) {
                    Matrix m = parse(f[0], content + last, 64);
                    assertTrue(m instanceof SparseMatrix s ? same(s, (SparseMatrix) expected) : m.equals(expected),
                            () -> f[0] + " with line end " + end.replace("\r", "CR").replace("\n", "LF"));
                }
            }
        }
    }

    private static boolean same(SparseMatrix a, SparseMatrix b) {
        return Arrays.equals(a.rowStart(), b.rowStart()) && Arrays.equals(a.columnIndices(), b.columnIndices())
                && Arrays.equals(a.values(), b.values());
    }

    /**
     * The line reader splits and decodes as {@code BufferedReader.readLine} over a UTF-8 {@code InputStreamReader}
     * did (bytes that are not UTF-8 read as U+FFFD), for random bytes full of line ends and broken UTF-8, lines
     * that cross the 64 KiB read buffer, and a CRLF split across it.
     */
    @Test
    void linesAreSplitAndDecodedAsBufferedReaderDoes() throws IOException {
        byte[] ends = {'\r', '\n', '\r', '\n', '\r'};
        byte[] alphabet = {'1', ',', ' ', (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xC3,
                (byte) 0xA9, (byte) 0xE2, (byte) 0x80, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0xF0, (byte) 0x9F,
                (byte) 0x98, 'a', 0};
        java.util.Random random = new java.util.Random(20261126);
        java.util.List<byte[]> inputs = new java.util.ArrayList<>();
        for (int t = 0; t < 300; t++) {
            byte[] b = new byte[random.nextInt(t < 250 ? 200 : 300_000)];
            int lineEvery = 1 + random.nextInt(t % 2 == 0 ? 8 : 100_000);
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(lineEvery) == 0 ? ends[random.nextInt(ends.length)]
                        : alphabet[random.nextInt(alphabet.length)];
            }
            inputs.add(b);
        }
        byte[] split = ("x".repeat(65_535) + "\r\ny\r\r\n\n").getBytes(StandardCharsets.US_ASCII);
        inputs.add(split);
        inputs.add(Arrays.copyOf(split, 65_536));
        inputs.add("\uFEFF1\r\n\uFEFF2".getBytes(StandardCharsets.UTF_8));
        for (byte[] input : inputs) {
            java.util.List<String> expected = new java.util.ArrayList<>();
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                    new ByteArrayInputStream(input), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    expected.add(expected.isEmpty() && line.startsWith("\uFEFF") ? line.substring(1) : line);
                }
            }
            Source.TextLines lines = new Source("x.csv", false, input.length, new ByteArrayInputStream(input)).lines();
            java.util.List<String> got = new java.util.ArrayList<>();
            for (String line; (line = lines.next()) != null; ) {
                got.add(line);
                assertEquals(got.size(), lines.number());
            }
            assertEquals(expected, got, () -> "input of " + input.length + " bytes");
            assertEquals(null, lines.next());
        }
    }

    // ---- files ----

    @Test
    void fileErrors() throws IOException {
        MatrixFormatException unknown = fails(text("data.xlsx", "1"));
        assertTrue(unknown.getMessage().contains("'.xlsx'") && unknown.getMessage().contains(".mtx, .npy, .csv, .tsv"),
                unknown.getMessage());
        MatrixFormatException none = fails(text("data", "1"));
        assertTrue(none.getMessage().contains("no extension"), none.getMessage());
        MatrixFormatException empty = fails(text("empty.csv", ""));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        MatrixFormatException notGzip = fails(text("plain.csv.gz", "1,2\n"));
        assertTrue(notGzip.getMessage().contains("not gzip"), notGzip.getMessage());
        byte[] zipped = gzip("1,2\n3,4\n5,6\n".getBytes(StandardCharsets.US_ASCII));
        MatrixFormatException cut = fails(bytes("cut.csv.gz", Arrays.copyOf(zipped, zipped.length - 6)));
        assertTrue(cut.getMessage().contains("corrupt or truncated"), cut.getMessage());

        Path missing = dir.resolve("missing.csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixReader.read(missing));
        assertTrue(e.getMessage().contains("missing.csv") && e.getMessage().contains("does not exist"), e.getMessage());
        IllegalArgumentException folder = assertThrows(IllegalArgumentException.class,
                () -> MatrixReader.read(Files.createDirectory(dir.resolve("folder.csv"))));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
        assertInstanceOf(IllegalArgumentException.class, unknown);
    }

    @Test
    void plainIoFailuresAreNotFormatErrors() {
        Source s = new Source("x.csv", false, 1, null);
        RuntimeException r = s.failure(new IOException("disk on fire"), 3);
        assertInstanceOf(UncheckedIOException.class, r);
    }
}
