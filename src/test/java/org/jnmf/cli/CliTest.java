package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jnmf.Cancellation;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.StopReason;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.Test;

class CliTest extends CliTestSupport {
    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fitWritesFactorsSummaryAndOneLineReport() throws IOException {
        Path input = file("v.csv", csv(12, 8, 1));
        int status = run("fit", input.toString(), "--rank", "3", "--out", out.toString(), "--max-iter", "30",
                "--tol", "0");
        assertEquals(0, status, stderr);
        assertEquals("", stderr);
        assertTrue(stdout.startsWith("rank 3, hals, 30 iterations (max_iterations), relative error 0."), stdout);
        assertTrue(stdout.contains("backend java"), stdout);
        assertTrue(stdout.contains("W.npy (12×3)") && stdout.contains("H.npy (3×8)"), stdout);
        assertEquals(List.of("H.npy", "W.npy", "summary.json"), list(out));

        DenseMatrix w = (DenseMatrix) MatrixReader.read(out.resolve("W.npy"));
        DenseMatrix h = (DenseMatrix) MatrixReader.read(out.resolve("H.npy"));
        assertEquals(12, w.rows());
        assertEquals(3, w.cols());
        assertEquals(3, h.rows());
        assertEquals(8, h.cols());
        assertEquals(Precision.DOUBLE, w.precision());

        String json = summary();
        for (String field : List.of("\"rows\": 12", "\"cols\": 8", "\"rank\": 3", "\"algorithm\": \"hals\"",
                "\"init\": \"nndsvda\"", "\"backend\": \"java\"", "\"backend_reason\": \"", "\"precision\": \"double\"",
                "\"threads\": ", "\"iterations\": 30", "\"relative_error\": 0.", "\"loss\": ", "\"seconds\": ",
                "\"converged\": false", "\"stop_reason\": \"max_iterations\"", "\"loss_history\": [",
                "\"check_iterations\": [0, 10, 20, 30]", "\"input\": " + Json.quote(input.toString()),
                "\"jnmf_version\": \"")) {
            assertTrue(json.contains(field), () -> field + " missing from " + json);
        }
    }

    @Test
    void demoFactorsTheBundledDigitsAndDrawsTheParts() throws IOException {
        int status = run("demo", "--out", out.toString(), "--rank", "4", "--max-iter", "5", "--quiet");
        assertEquals(0, status, stderr);
        assertTrue(stdout.contains("MNIST: 2000 digits of 28×28 pixels, 4 parts"), stdout);
        assertEquals(List.of("H.npy", "W.npy", "parts.png", "reconstructions.png", "summary.json"), list(out));
        java.awt.image.BufferedImage parts = javax.imageio.ImageIO.read(out.resolve("parts.png").toFile());
        assertEquals(4 * (28 * 4 + 2) + 2, parts.getWidth(), "four 28×28 tiles at 4× with 2-pixel gaps");
        assertTrue(summary().contains("\"rows\": 2000") && summary().contains("\"cols\": 784"), summary());
    }

    @Test
    void devicesListsEachBackendAndWhyCudaCannotRunHere() {
        assertEquals(0, run("devices"), stderr);
        assertTrue(stdout.startsWith("java: usable; "), stdout);
        assertTrue(stdout.contains("cuda: "), stdout);
    }

    @Test
    void optionsReachTheFit() throws IOException {
        Path input = file("v.tsv", "name\ta\tb\tc\td\n" + csv(10, 5, 2).lines()
                .map(l -> "r\t" + l.substring(l.indexOf(',') + 1).replace(',', '\t'))
                .reduce("", (a, b) -> a + b + "\n"));
        int status = run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--algorithm", "mu",
                "--init", "random", "--seed", "5", "--max-iter", "7", "--tol", "0", "--check-every", "3",
                "--time-limit", "5m", "--threads", "1", "--backend", "java", "--floor", "1e-16", "--format", "csv",
                "--header", "--row-names", "--tf32", "--quiet");
        assertEquals(0, status, stderr);
        assertEquals(List.of("H.csv", "W.csv", "summary.json"), list(out));
        String json = summary();
        for (String field : List.of("\"rows\": 10", "\"cols\": 4", "\"algorithm\": \"mu\"", "\"init\": \"random\"",
                "\"seed\": 5", "\"iterations\": 7", "\"threads\": 1", "\"check_iterations\": [0, 3, 6, 7]",
                "\"time_limit_seconds\": 300.0", "\"tolerance\": 0.0", "\"tf32\": true")) {
            assertTrue(json.contains(field), () -> field + " missing from " + json);
        }
        assertEquals(10, MatrixReader.read(out.resolve("W.csv")).rows());
    }

    @Test
    void precisionFollowsTheInputUnlessAsked() throws IOException {
        Path input = dir.resolve("v.npy");
        MatrixWriter.write(DenseMatrix.of(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 10}}), input);
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--max-iter", "5"), stderr);
        assertEquals(Precision.SINGLE, MatrixReader.read(out.resolve("W.npy")).precision());
        assertTrue(summary().contains("\"precision\": \"single\""));
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--max-iter", "5",
                "--precision", "double"), stderr);
        assertEquals(Precision.DOUBLE, MatrixReader.read(out.resolve("W.npy")).precision());
    }

    @Test
    void readsTheSparseFixture() throws IOException {
        Path input;
        try {
            input = Path.of(CliTest.class.getResource("/fixtures/sparse80x120.mtx").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        assertEquals(0, run("fit", input.toString(), "-k", "6", "-o", out.toString(), "--max-iter", "10"), stderr);
        assertTrue(summary().contains("\"sparse\": true"));
        assertEquals(80, MatrixReader.read(out.resolve("W.npy")).rows());
    }

    @Test
    void badEntriesNameFileRowAndColumn() throws IOException {
        assertUsageError(run("fit", file("neg.csv", "1,2\n3,-4\n").toString(), "-k", "1", "-o", out.toString()),
                "neg.csv", "negative", "row 1, column 1");
        assertUsageError(run("fit", file("nan.csv", "1,nan\n3,4\n").toString(), "-k", "1", "-o", out.toString()),
                "nan.csv", "NaN", "row 0, column 1");
        assertUsageError(run("fit", file("inf.csv", "1,2\ninf,4\n").toString(), "-k", "1", "-o", out.toString()),
                "inf.csv", "infinite", "row 1, column 0");
    }

    @Test
    void malformedInputsAreOneLineErrors() throws IOException {
        assertUsageError(run("fit", file("ragged.csv", "1,2,3\n4,5\n").toString(), "-k", "1", "-o", out.toString()),
                "ragged.csv", "line 2", "2 values but line 1 has 3");
        assertUsageError(run("fit", file("cut.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n")
                .toString(), "-k", "1", "-o", out.toString()), "cut.mtx", "line 4", "truncated");
        assertUsageError(run("fit", file("word.csv", "1,2\n3,x\n").toString(), "-k", "1", "-o", out.toString()),
                "word.csv", "line 2, column 3", "'x' is not a number");
        assertUsageError(run("fit", file("v.xlsx", "1").toString(), "-k", "1", "-o", out.toString()),
                "v.xlsx", "unknown file type", ".mtx, .npy, .csv, .tsv");
        assertUsageError(run("fit", file("empty.csv", "").toString(), "-k", "1", "-o", out.toString()),
                "empty.csv", "empty");
        assertUsageError(run("fit", file("zero.mtx", "%%MatrixMarket matrix coordinate real general\n0 0 0\n")
                .toString(), "-k", "1", "-o", out.toString()), "zero.mtx", "empty");
        assertUsageError(run("fit", dir.resolve("missing.csv").toString(), "-k", "1", "-o", out.toString()),
                "missing.csv", "does not exist");
    }

    @Test
    void lossPenaltyAndStoppingOptionsReachTheFit() throws IOException {
        Path input = file("v.csv", csv(12, 8, 4));
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--loss", "kl", "--l1-w", "0.1",
                "--l2-w", "0.2", "--l1-h", "0.3", "--l2-h", "0.4", "--kkt-tol", "1e-3", "--max-iter", "20",
                "--quiet"), stderr);
        String json = summary();
        for (String field : List.of("\"algorithm\": \"mu\"", "\"loss_name\": \"kl\"", "\"l1_w\": 0.1",
                "\"l2_w\": 0.2", "\"l1_h\": 0.3", "\"l2_h\": 0.4", "\"kkt_tolerance\": 0.001",
                "\"relative_projected_gradient\": ", "\"relative_decrease\": ", "\"projected_gradient_history\": [",
                "\"data_loss\": ")) {
            assertTrue(json.contains(field), () -> field + " missing from " + json);
        }
        Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--loss", "beta", "--beta",
                "0.5", "--max-iter", "5", "--quiet"), stderr);
        assertTrue(summary().contains("\"loss_name\": \"beta=0.5\""), summary());
        Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--accelerate",
                "--max-iter", "5", "--quiet"), stderr);
        assertTrue(summary().contains("\"acceleration\": 0.5"), summary());
        for (List<String> plain : List.of(List.of("--accelerate", "0"), List.of("--accelerate", "0", "--algorithm",
                "mu"))) {
            Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            List<String> args = new java.util.ArrayList<>(List.of("fit", input.toString(), "-k", "2", "-o",
                    out.toString(), "--max-iter", "5", "--quiet"));
            args.addAll(plain);
            assertEquals(0, run(args.toArray(String[]::new)), stderr);
            assertTrue(summary().contains("\"acceleration\": 0.0"), summary());
        }
        Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--max-iter", "5", "--quiet"),
                stderr);
        assertTrue(summary().contains("\"acceleration\": 0.5"), "HALS accelerates by default: " + summary());
    }

    @Test
    void missingValuesAndAnlsReachTheFit() throws IOException {
        Path input = file("v.csv", "1,nan,3\n2,4,nan\n3,6,9\n1,2,3\n");
        assertEquals(0, run("fit", input.toString(), "-k", "1", "-o", out.toString(), "--missing", "nan",
                "--algorithm", "anls", "--max-iter", "50", "--quiet"), stderr);
        String json = summary();
        assertTrue(json.contains("\"missing\": \"nan\"") && json.contains("\"algorithm\": \"anls\""), json);
        // Rank 1, rows multiples of (1, 2, 3): the two missing entries are 2 and 6.
        double[] w = ((DenseMatrix) MatrixReader.read(out.resolve("W.npy"))).toDoubleArray();
        double[] h = ((DenseMatrix) MatrixReader.read(out.resolve("H.npy"))).toDoubleArray();
        assertEquals(2, w[0] * h[1], 1e-6);
        assertEquals(6, w[1] * h[2], 1e-6);
    }

    @Test
    void badLossPenaltyAndStoppingOptionsAreOneLineErrors() throws IOException {
        String input = file("v.csv", csv(5, 4, 3)).toString();
        String o = out.toString();
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--loss", "hinge"),
                "--loss must be frobenius, kl, is or beta");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--loss", "beta"), "--loss beta needs --beta");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--loss", "beta", "--beta", "3"),
                "--beta must be in [0, 2]");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--beta", "0.5"), "--beta goes with --loss beta");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--loss", "kl", "--algorithm", "hals"),
                "--loss kl runs with --algorithm mu only");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--l1-w", "-1"), "--l1-w must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--l2-w", "NaN"), "--l2-w must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--l1-h", "-0.5"), "--l1-h must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--l2-h", "Infinity"),
                "--l2-h must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--kkt-tol", "-1"),
                "--kkt-tol must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--l1-w", "lots"), "--l1-w", "'lots'");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--accelerate", "-1"),
                "--accelerate must be a finite number ≥ 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--accelerate", "--algorithm", "mu"),
                "--accelerate applies to --algorithm hals");
        assertUsageError(run("fit", file("z.csv", "1,2\n0,3\n").toString(), "-k", "1", "-o", o, "--loss", "is"),
                "Itakura", "row 1, column 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--algorithm", "anls", "--loss", "kl"),
                "--loss kl runs with --algorithm mu only");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--missing", "blanks"),
                "--missing must be nan, zeros or none");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--missing", "nan", "--mask", input),
                "--mask and --missing nan both say");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--mask", dir.resolve("nope.csv").toString()),
                "--mask", "nope.csv");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--mask", file("m.csv", "1,0\n0,1\n").toString()),
                "the mask must have V's shape 5×4; got 2×2");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--mask", input), "the mask must hold only 0");
        assertUsageError(run("fit", input, "-k", "2", "-o", o, "--missing", "nan", "--loss", "kl"),
                "missing values work with the Frobenius loss only");
    }

    @Test
    void badOptionsAreOneLineErrors() throws IOException {
        String input = file("v.csv", csv(5, 4, 3)).toString();
        assertUsageError(run("fit", input, "-k", "0", "-o", out.toString()), "--rank must be at least 1; got 0");
        assertUsageError(run("fit", input, "-k", "5", "-o", out.toString(), "--init", "nndsvd"),
                "--rank 5 is more than min(n, m) = 4", "--init random");
        assertUsageError(run("fit", input, "-o", out.toString()), "Missing required option", "--rank",
                "jnmf fit --help");
        assertUsageError(run("fit", input, "-k", "x", "-o", out.toString()), "--rank", "'x'");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--time-limit", "5x"),
                "--time-limit '5x' is not a duration");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--algorithm", "als"),
                "--algorithm must be hals, mu or anls");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--backend", "cuda9"),
                "--backend must be auto or one of cuda, blas, java");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--format", "xlsx"),
                "--format must be npy or csv");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--precision", "half"),
                "--precision must be single or double");
        assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), "--no-such-flag"), "--no-such-flag");
        // Random initialisation takes any rank.
        assertEquals(0, run("fit", input, "-k", "9", "-o", out.toString(), "--max-iter", "3"), stderr);
        assertTrue(summary().contains("\"init\": \"random\""));
    }

    @Test
    void everyOptionRefusesABadValueInOneLine() throws IOException {
        String input = file("v.csv", csv(5, 4, 3)).toString();
        String[][] cases = {
            {"--init", "svd", "--init must be random, nndsvd, nndsvda or nndsvdar; got 'svd'"},
            {"--max-iter", "-1", "--max-iter must be at least 0; got -1"},
            {"--tol", "-1", "--tol must be a finite number ≥ 0; got -1.0"},
            {"--check-every", "0", "--check-every must be at least 1; got 0"},
            {"--threads", "0", "--threads must be at least 1; got 0"},
            {"--floor", "NaN", "--floor must be a finite number ≥ 0; got NaN"},
            {"--time-limit", "0s", "--time-limit must be positive; got '0s'"},
        };
        for (String[] c : cases) {
            assertUsageError(run("fit", input, "-k", "2", "-o", out.toString(), c[0], c[1]), c[2]);
        }
        Path huge = file("huge.mtx", "%%MatrixMarket matrix coordinate real general\n2147483000 1 1\n1 1 1\n");
        if (Runtime.getRuntime().maxMemory() < 16L << 30) {
            assertUsageError(run("fit", huge.toString(), "-k", "2", "-o", out.toString()),
                    "sparse matrix (2147483000 row pointers) needs 16.0 GiB of Java heap", "JNMF_JAVA_OPTS=-Xmx");
        }
        Path big = file("big.csv", "1e30,1\n1,1\n");
        assertUsageError(run("fit", big.toString(), "-k", "1", "-o", out.toString(), "--precision", "single"),
                "is too large for float32 arithmetic", "--precision double");
    }

    @Test
    void unexpectedFailuresAreOneLineInternalErrors() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
        assertEquals(1, Main.report(new NullPointerException("boom"), err, false));
        assertEquals(1, Main.report(new OutOfMemoryError("Java heap space"), err, false));
        String[] lines = e.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, e.toString(StandardCharsets.UTF_8));
        assertTrue(lines[0].startsWith("jnmf: internal error: java.lang.NullPointerException: boom")
                && lines[0].contains("--debug"), lines[0]);
        assertTrue(lines[1].startsWith("jnmf: out of memory (Java heap space)") && lines[1].contains("-Xmx"), lines[1]);
    }

    @Test
    void unwritableOutputFolderFailsBeforeFitting() throws IOException {
        Path input = file("v.csv", csv(5, 4, 3));
        Path blocker = file("blocker.txt", "not a folder");
        assertEquals(2, run("fit", input.toString(), "-k", "2", "-o", blocker.resolve("sub").toString()));
        assertTrue(stderr.startsWith("jnmf: cannot create output folder") && stderr.contains("blocker.txt"), stderr);
        assertEquals(1, stderr.lines().count(), stderr);
        assertEquals(2, run("fit", input.toString(), "-k", "2", "-o", blocker.toString()));
        assertTrue(stderr.contains("is a file, not a folder"), stderr);
        assertEquals(List.of("blocker.txt", "v.csv"), list(dir));
    }

    @Test
    void failureKeepsAnExistingFolderAndLeavesNoFilesInIt() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertEquals(2, run("fit", file("neg.csv", "1,-2\n").toString(), "-k", "1", "-o", out.toString()));
        assertEquals(List.of("notes.txt"), list(out));
        // A nested folder that the run created is removed again.
        Path nested = out.resolve("a").resolve("b");
        assertEquals(2, run("fit", file("neg2.csv", "1,-2\n").toString(), "-k", "1", "-o", nested.toString()));
        assertEquals(List.of("notes.txt"), list(out));
    }

    @Test
    void cancelledFitStillWritesItsFactors() throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();
        NmfResult r;
        try (FitJob job = new FitJob(out, "npy", true, new PrintStream(o, true, StandardCharsets.UTF_8), System.err)
                .cancellation(cancellation)) {
            job.prepareOutput();
            Matrix v = DenseMatrix.of(new double[][] {{1, 2}, {3, 4}, {5, 6}});
            r = job.run(v, NmfOptions.builder(1).maxIterations(100), "v.csv");
        }
        assertEquals(StopReason.CANCELLED, r.stopReason());
        assertEquals(1, r.iterations());
        assertTrue(summary().contains("\"stop_reason\": \"cancelled\""));
        assertTrue(o.toString(StandardCharsets.UTF_8).contains("(cancelled)"));
        assertEquals(List.of("H.npy", "W.npy", "summary.json"), list(out));
    }

    @Test
    void versionHelpAndNoCommand() {
        assertEquals(0, run("--version"));
        assertTrue(stdout.startsWith("jnmf " + Main.version()), stdout);
        assertFalse(Main.version().isEmpty() || Main.version().equals("unknown"));
        assertEquals(0, run("fit", "--help"));
        for (String text : List.of("--max-iter", "Default: 200", "Default: 1e-4", "Default: hals", "Default: 10",
                "Default: npy", "Default: auto", "Default: 0", "nndsvda when k ≤ min(n, m)", "all available processors",
                "500ms, 90s, 5m, 2h")) {
            assertTrue(stdout.replaceAll("\\s+", " ").contains(text), () -> text + " missing from help: " + stdout);
        }
        assertEquals(0, run("--help"));
        assertTrue(stdout.contains("fit"), stdout);
        assertEquals(2, run());
        assertTrue(stderr.startsWith("jnmf: name a command"), stderr);
        assertEquals(2, run("frobnicate"));
        assertEquals(1, stderr.lines().count(), stderr);
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        assertEquals(2, run("fit", file("neg.csv", "1,-2\n").toString(), "-k", "1", "-o", out.toString(), "--debug"));
        assertTrue(stderr.startsWith("jnmf: ") && stderr.lines().count() > 1 && stderr.contains("\tat "), stderr);
    }

    @Test
    void progressGoesToStderrOnlyOnATerminal() throws IOException {
        String input = file("v.csv", csv(20, 10, 4)).toString();
        System.setProperty("jnmf.stderrTty", "true");
        try {
            // A quick fit shows no bar; one that runs past a second does, unless --quiet.
            assertEquals(0, run("fit", input, "-k", "2", "-o", out.toString(), "--max-iter", "20", "--tol", "0"));
            assertEquals("", stderr);
            assertTrue(stdout.startsWith("rank 2"), stdout);
            String[] slow = {"fit", input, "-k", "2", "-o", out.toString(), "--max-iter", "100000000", "--tol", "0",
                "--check-every", "1", "--time-limit", "2s"};
            assertEquals(0, run(slow));
            assertTrue(stderr.contains("NMF"), stderr);
            assertTrue(stdout.contains("(time_limit)"), stdout);
            String[] quiet = java.util.Arrays.copyOf(slow, slow.length + 1);
            quiet[slow.length] = "--quiet";
            assertEquals(0, run(quiet));
            assertEquals("", stderr);
        } finally {
            System.setProperty("jnmf.stderrTty", "false");
        }
    }

    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(90), FitOptions.parseDuration("90"));
        assertEquals(Duration.ofSeconds(90), FitOptions.parseDuration("90s"));
        assertEquals(Duration.ofMillis(1500), FitOptions.parseDuration("1.5"));
        assertEquals(Duration.ofMillis(500), FitOptions.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(5), FitOptions.parseDuration("5m"));
        assertEquals(Duration.ofHours(2), FitOptions.parseDuration("2H"));
        for (String bad : List.of("0", "0s", "-5", "5 minutes", "", "1e3")) {
            CliException e = assertThrows(CliException.class, () -> FitOptions.parseDuration(bad));
            assertEquals(CliException.USAGE, e.exitCode());
        }
    }

    @Test
    void jsonEscapesStringsAndNonFiniteNumbers() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.quote("a\"b\\c\nd\u0001"));
        String json = new Json().put("x", Double.NaN).put("y", new double[] {1.5, Double.POSITIVE_INFINITY})
                .put("z", (String) null).toString();
        assertEquals("{\n  \"x\": null,\n  \"y\": [1.5, null],\n  \"z\": null\n}\n", json);
    }

    @Test
    void inputNameWithQuotesIsEscapedInTheSummary() throws IOException {
        Path input = file("we\"ird.csv", csv(4, 3, 5));
        assertEquals(0, run("fit", input.toString(), "-k", "1", "-o", out.toString(), "--max-iter", "2"), stderr);
        assertTrue(summary().contains("we\\\"ird.csv"), summary());
    }

    @Test
    void aFitResumedFromItsCheckpointEndsWithTheUninterruptedBits() throws IOException {
        Path input = file("v.csv", csv(30, 20, 4));
        Path whole = dir.resolve("whole");
        Path checkpoints = dir.resolve("checkpoints");
        String[] common = {"fit", input.toString(), "--rank", "3", "--tol", "0", "--threads", "2", "--backend", "java",
                "--quiet"};
        assertEquals(0, run(concat(common, "--out", whole.toString(), "--max-iter", "40")), stderr);
        assertEquals(0, run(concat(common, "--out", dir.resolve("first").toString(), "--max-iter", "20",
                "--checkpoint", checkpoints.toString(), "--checkpoint-every", "10")), stderr);
        assertEquals(List.of("checkpoint.jnmf"), list(checkpoints));
        assertEquals(0, run(concat(common, "--out", out.toString(), "--max-iter", "40",
                "--resume", checkpoints.toString())), stderr);
        assertTrue(summary().contains("\"iterations\": 40"), summary());
        assertEquals(-1, Files.mismatch(whole.resolve("W.npy"), out.resolve("W.npy")));
        assertEquals(-1, Files.mismatch(whole.resolve("H.npy"), out.resolve("H.npy")));
    }

    @Test
    void badCheckpointFlagsAreOneLineErrors() throws IOException {
        Path input = file("v.csv", csv(30, 20, 4));
        Path checkpoints = dir.resolve("checkpoints");
        assertUsageError(run("fit", input.toString(), "--rank", "3", "--out", out.toString(),
                "--checkpoint", checkpoints.toString(), "--checkpoint-every", "0"), "--checkpoint-every", "at least 1");
        assertUsageError(run("fit", input.toString(), "--rank", "3", "--out", out.toString(),
                "--resume", dir.resolve("nowhere").toString()), "--resume");
        assertUsageError(run("fit", input.toString(), "--rank", "3", "--out", out.toString(),
                "--resume", input.toString()), "--resume", "not a jnmf model");
        assertUsageError(run("fit", input.toString(), "--rank", "3", "--out", out.toString(), "--restarts", "2",
                "--init", "random", "--checkpoint", checkpoints.toString()), "single run");
        assertUsageError(run("fit", input.toString(), "--rank", "3", "--out", out.toString(),
                "--checkpoint", input.toString()), "--checkpoint", "is a file");
    }

    @Test
    void resumingWithAnotherRankNamesTheDifference() throws IOException {
        Path input = file("v.csv", csv(30, 20, 4));
        Path checkpoints = dir.resolve("checkpoints");
        assertEquals(0, run("fit", input.toString(), "--rank", "3", "--out", dir.resolve("first").toString(),
                "--max-iter", "5", "--checkpoint", checkpoints.toString(), "--quiet"), stderr);
        assertUsageError(run("fit", input.toString(), "--rank", "4", "--out", out.toString(),
                "--resume", checkpoints.toString()), "cannot resume", "rank");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
