package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jnmf.Precision;
import org.jnmf.backend.BlasBackend;
import org.junit.jupiter.api.Test;

/** {@code jnmf bench} prints parseable tables (timings are not checked), {@code devices} and {@code --backend blas}. */
class BenchCommandTest extends CliTestSupport {
    private static boolean blasHere() {
        BlasBackend.Attempt a = BlasBackend.attempt(Precision.SINGLE, 1);
        if (a.usable()) {
            a.backend().close();
        }
        return a.usable();
    }

    /** The table's rows (after the header), each split on spaces; checks the header's column names. */
    private List<String[]> table(String... columns) {
        List<String> lines = stdout.lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of(columns), List.of(lines.get(0).trim().split("\\s+")), stdout);
        return lines.stream().skip(1).map(l -> l.trim().split("\\s+")).toList();
    }

    @Test
    void gemmPrintsOneRowPerProductBackendAndPrecision() {
        assertEquals(0, run("bench", "gemm", "--shapes", "30x20x3,7x9x2", "--square", "8", "--repeats", "1",
                "--warmup-ms", "0", "--threads", "1"), stderr);
        assertTrue(stdout.contains("# FMA peak (Vector API, 1 threads): single "), stdout);
        List<String[]> rows = table("op", "shape", "precision", "backend", "threads", "best_ms", "gflops", "peak_pct");
        List<String> backends = blasHere() ? List.of("java", "blas") : List.of("java");
        assertEquals(backends.size() * 2 * 5, rows.size(), stdout);
        Set<String> seen = new HashSet<>();
        for (String[] r : rows) {
            assertEquals(8, r.length, String.join(" ", r));
            seen.add(r[0] + " " + r[1] + " " + r[2] + " " + r[3]);
            assertEquals("1", r[4]);
            assertTrue(Double.parseDouble(r[5]) > 0 && Double.parseDouble(r[6]) > 0, String.join(" ", r));
            Double.parseDouble(r[7]);
        }
        for (String b : backends) {
            assertTrue(seen.contains("V*H^T 30x20x3 single " + b), seen::toString);
            assertTrue(seen.contains("W^T*V 7x9x2 double " + b), seen::toString);
            assertTrue(seen.contains("A*B 8x8x8 double " + b), seen::toString);
        }
    }

    @Test
    void fitPrintsTimeAndErrorPerBackend() {
        assertEquals(0, run("bench", "fit", "--shapes", "40x30x3", "--iterations", "2", "--threads", "1",
                "--precision", "double", "--backends", "java"), stderr);
        List<String[]> rows = table("shape", "algo", "precision", "backend", "iterations", "ms_per_iter", "rel_error");
        assertEquals(2, rows.size(), stdout);
        assertEquals(List.of("40x30x3", "hals", "double", "java", "2"), List.of(rows.get(0)).subList(0, 5));
        assertEquals("mu", rows.get(1)[1]);
        for (String[] r : rows) {
            Double.parseDouble(r[5]);
            double error = Double.parseDouble(r[6]);
            assertTrue(error > 0 && error < 0.2, "a rank-3 fit of rank-3 data plus 1 % noise: " + error);
        }
    }

    @Test
    void badBenchOptionsAreOneLineUsageErrors() {
        String[][] cases = {
                {"gemm", "--shapes", "2000x1500", "--shapes takes n x m x k"},
                {"gemm", "--shapes", "0x3x3", "--shapes takes n x m x k"},
                {"gemm", "--repeats", "0", "--repeats must be at least 1"},
                {"gemm", "--square", "-4", "--square takes sizes ≥ 0"},
                {"gemm", "--warmup-ms", "-1", "--warmup-ms must be ≥ 0"},
                {"gemm", "--backends", "gpu", "--backends must name some of cuda, blas, java"},
                {"gemm", "--precision", "half", "--precision must be single or double"},
                {"gemm", "--threads", "0", "--threads must be at least 1"},
                {"fit", "--iterations", "0", "--iterations must be at least 1"},
                {"fit", "--algorithms", "als", "--algorithms must be hals or mu"},
        };
        for (String[] c : cases) {
            int status = run("bench", c[0], c[1], c[2]);
            assertEquals(2, status, String.join(" ", c) + ": " + stderr);
            assertEquals(1, stderr.lines().count(), stderr);
            assertTrue(stderr.startsWith("jnmf: ") && stderr.contains(c[3]), () -> String.join(" ", c) + ": " + stderr);
        }
        assertEquals(2, run("bench"), stderr);
        assertTrue(stderr.contains("'jnmf bench gemm' or 'jnmf bench fit'"), stderr);
    }

    @Test
    void devicesReportsBlas() {
        assertEquals(0, run("devices"), stderr);
        assertTrue(stdout.contains(blasHere() ? "blas: usable; " : "blas: not usable"), stdout);
    }

    @Test
    void backendBlasWithABogusLibraryIsOneLineNamingItAndTheFix() throws IOException {
        Path input = dir.resolve("v.csv");
        Files.writeString(input, "1,2,3\n4,5,6\n7,8,9\n");
        String previous = System.getProperty("jnmf.blas.library");
        System.setProperty("jnmf.blas.library", dir.resolve("libbogus.so").toString());
        try {
            int status = run("fit", input.toString(), "-k", "2", "-o", dir.resolve("out").toString(),
                    "--backend", "blas");
            assertEquals(1, status, stderr);
            assertEquals(1, stderr.lines().count(), stderr);
            assertTrue(stderr.contains("the blas backend cannot run here") && stderr.contains("libbogus.so")
                    && stderr.contains("apt-get install libopenblas0"), stderr);
            assertFalse(Files.exists(dir.resolve("out")), "no output after a failure");
        } finally {
            if (previous == null) {
                System.clearProperty("jnmf.blas.library");
            } else {
                System.setProperty("jnmf.blas.library", previous);
            }
        }
    }
}
