package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.jnmf.Precision;
import org.jnmf.backend.BlasBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs larger than the Java heap, end to end: {@code jnmf fit} runs in a child JVM with a 64 MiB heap on
 * an 80 MB float32 {@code .npy} (memory-mapped and used in place: a heap copy could not exist), the same file gzip-compressed and in
 * Fortran order (copied into native memory), and a 54 MB CSV (parsed into native memory). The factors must
 * equal, bit for bit, those of the same fit in a child with a heap large enough to hold V; the java backend,
 * which computes on heap arrays, must refuse with the sizes and the backends that do not need the heap.
 */
class LargerThanHeapTest {
    private static final int N = 4000;
    private static final int M = 5000;

    @TempDir
    static Path dir;

    private static Path npy;

    @BeforeAll
    static void writeInputs() throws IOException {
        npy = dir.resolve("big.npy");
        writeNpy(npy, false);
        writeNpy(dir.resolve("fortran.npy"), true);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("big.npy.gz")), 1 << 16)) {
            Files.copy(npy, out);
        }
    }

    /** A noisy rank-3 pattern, every entry in [0.1, 2]: cheap to compute and deterministic. */
    private static float value(int i, int j) {
        float a = (i % 7) / 7f;
        float b = (j % 11) / 11f;
        float c = ((i * 31 + j * 17) % 13) / 130f;
        return 0.1f + a * b + (1 - a) * ((j % 5) / 5f) + c;
    }

    private static void writeNpy(Path file, boolean fortran) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + N + ", "
                + M + "), }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
            prefix.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
            prefix.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1)).flip();
            ch.write(prefix);
            int outer = fortran ? M : N;
            int inner = fortran ? N : M;
            ByteBuffer line = ByteBuffer.allocate(inner * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int o = 0; o < outer; o++) {
                line.clear();
                for (int x = 0; x < inner; x++) {
                    line.putFloat(fortran ? value(x, o) : value(o, x));
                }
                line.flip();
                ch.write(line);
            }
        }
    }

    private static ChildJvm.Outcome fit(String heap, List<String> jvmOptions, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("fit"));
        all.addAll(List.of(args));
        return ChildJvm.run(heap, jvmOptions, dir, all.toArray(String[]::new));
    }

    private static ChildJvm.Outcome fit(String heap, String input, String backend, String out) throws Exception {
        return fit(heap, List.of(), input, "--rank", "4", "--max-iter", "3", "--seed", "1", "--threads", "1",
                "--backend", backend, "--out", dir.resolve(out).toString());
    }

    private static byte[] factor(String out, String name) throws IOException {
        return Files.readAllBytes(dir.resolve(out).resolve(name));
    }

    private static void assertSameFactors(String expected, String actual) throws IOException {
        assertArrayEquals(factor(expected, "W.npy"), factor(actual, "W.npy"), actual + ": W");
        assertArrayEquals(factor(expected, "H.npy"), factor(actual, "H.npy"), actual + ": H");
    }

    private static void assumeBlas() {
        BlasBackend.Attempt attempt = BlasBackend.attempt(Precision.SINGLE, 1);
        assumeTrue(attempt.usable(), () -> "no BLAS library here: " + attempt.reasons());
        attempt.backend().close();
    }

    @Test
    void anNpyLargerThanTheHeapIsFittedInPlaceByBlasAndCopiedByNoOne() throws Exception {
        assumeBlas();
        ChildJvm.Outcome small = fit("64m", npy.toString(), "auto", "mapped");
        assertEquals(0, small.exit(), small.output());
        String summary = Files.readString(dir.resolve("mapped/summary.json"));
        assertTrue(summary.contains("\"backend\": \"blas\"") || summary.contains("\"backend\":\"blas\""), summary);
        assertTrue(summary.contains("reads V in place off the heap"), summary);
        ChildJvm.Outcome large = fit("1g", npy.toString(), "blas", "on-heap");
        assertEquals(0, large.exit(), large.output());
        assertSameFactors("on-heap", "mapped");

        for (String input : new String[] {"big.npy.gz", "fortran.npy"}) {
            ChildJvm.Outcome copied = fit("64m", dir.resolve(input).toString(), "blas", input + "-out");
            assertEquals(0, copied.exit(), copied.output());
            assertSameFactors("on-heap", input + "-out");
        }
    }

    @Test
    void theJavaBackendRefusesAnOffHeapVItCannotCopyAndNamesTheBackendsThatNeedNoCopy() throws Exception {
        ChildJvm.Outcome refused = fit("64m", npy.toString(), "java", "java-out");
        assertEquals(2, refused.exit(), refused.output());
        assertTrue(refused.output().contains("V (4000×5000 float32) is held off the Java heap"), refused.output());
        assertTrue(refused.output().contains("Use --backend blas (Frobenius loss) or --backend cuda"), refused.output());
        assertTrue(!refused.output().contains("OutOfMemoryError") && !refused.output().contains("\tat "),
                refused.output());
        assertTrue(!Files.exists(dir.resolve("java-out/W.npy")), "nothing written");
    }

    @Test
    void aLineTooLongForASmallHeapIsRefusedWithTheFix() throws Exception {
        Path csv = dir.resolve("one-line.csv");
        Files.writeString(csv, "1,".repeat(4 << 20) + "1\n");
        ChildJvm.Outcome refused = fit("64m", csv.toString(), "java", "one-line-out");
        assertEquals(2, refused.exit(), refused.output());
        assertTrue(refused.output().contains(csv + ", line 1: the line is longer than "), refused.output());
        assertTrue(refused.output().contains("give Java more memory"), refused.output());
    }

    @Test
    void aCsvLargerThanTheHeapIsParsedIntoNativeMemory() throws Exception {
        assumeBlas();
        Path csv = dir.resolve("big.csv");
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(csv),
                StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < 3000; i++) {
                for (int j = 0; j < 3000; j++) {
                    if (j > 0) {
                        w.write(',');
                    }
                    w.write(Integer.toString((int) (value(i, j) * 100)));
                }
                w.write('\n');
            }
        }
        ChildJvm.Outcome small = fit("64m", csv.toString(), "blas", "csv-small");
        assertEquals(0, small.exit(), small.output());
        ChildJvm.Outcome large = fit("1g", csv.toString(), "blas", "csv-large");
        assertEquals(0, large.exit(), large.output());
        assertSameFactors("csv-large", "csv-small");
    }

    @Test
    void theCudaBackendUploadsAnOffHeapVAsItWouldTheHeapOne() throws Exception {
        Path standIns = Path.of("target", "native-stand-ins").toAbsolutePath();
        assumeTrue(Files.exists(standIns.resolve("libcuda.so.1")), "needs the CPU stand-ins of libcuda and cuBLAS");
        List<String> props = List.of("-Djnmf.cuda.libraryPath=" + standIns);
        for (String precision : new String[] {"single", "double"}) {
            // Random initialisation: NNDSVD's products are slow on the stand-ins' plain loops.
            String[] args = {npy.toString(), "--rank", "4", "--max-iter", "2", "--seed", "1", "--init", "random",
                "--backend", "cuda", "--precision", precision, "--out", ""};
            args[args.length - 1] = dir.resolve("cuda-small-" + precision).toString();
            ChildJvm.Outcome small = fit("64m", props, args);
            assertEquals(0, small.exit(), small.output());
            args[args.length - 1] = dir.resolve("cuda-large-" + precision).toString();
            ChildJvm.Outcome large = fit("1g", props, args);
            assertEquals(0, large.exit(), large.output());
            assertSameFactors("cuda-large-" + precision, "cuda-small-" + precision);
        }
    }
}
