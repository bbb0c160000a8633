package org.jnmf.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.demo.ImageGrid;
import org.jnmf.io.MatrixReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jnmf demo}: factors 2000 bundled MNIST digits (28×28 pixels each) and draws the parts NMF finds,
 * which look like pen strokes, next to a few digits and their reconstructions.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Factor 2000 bundled MNIST digits (2000×784) and draw the parts NMF finds.",
                "Writes W.npy, H.npy, summary.json, parts.png and reconstructions.png to --out."})
final class DemoCommand implements Callable<Integer> {
    private static final String DATA = "/org/jnmf/data/mnist2k.csv.gz";
    private static final int SIDE = 28;

    private final PrintStream out;
    private final PrintStream err;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "demo-output",
            description = "Folder for the results; created if missing. Default: ${DEFAULT-VALUE}.")
    Path outDir;

    @Option(names = {"-k", "--rank"}, paramLabel = "K", defaultValue = "16",
            description = "Number of parts. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "hals",
            description = "hals or mu. Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--max-iter", paramLabel = "N", defaultValue = "200",
            description = "Most iterations. Default: ${DEFAULT-VALUE}.")
    int maxIterations;

    @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-5",
            description = "Convergence tolerance, as for fit. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: all processors.")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "${sys:jnmf.backend:-auto}",
            description = "auto or a backend name. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        NmfOptions.Builder options = NmfOptions.builder(rank).maxIterations(maxIterations).tolerance(tolerance).backend(backend)
                .algorithm(FitOptions.parseAlgorithm(algorithm));
        if (threads != null) {
            options.threads(threads);
        }
        try (FitJob job = new FitJob(outDir, "npy", quiet, out, err)) {
            job.prepareOutput();
            try {
                Matrix v = readBundledDigits();
                out.println("MNIST: " + v.rows() + " digits of " + SIDE + "×" + SIDE + " pixels, " + rank + " parts");
                NmfResult result = job.run(v, options, "bundled MNIST digits (" + DATA + ")");
                drawPictures((DenseMatrix) v, result);
            } catch (RuntimeException | Error e) {
                job.abandonOutput();
                throw e;
            }
        }
        return 0;
    }

    private static Matrix readBundledDigits() {
        try (InputStream in = DemoCommand.class.getResourceAsStream(DATA)) {
            if (in == null) {
                throw new CliException(CliException.FAILURE, "the bundled data " + DATA + " is missing from the jar; rebuild it");
            }
            Path copy = Files.createTempFile("jnmf-mnist", ".csv.gz");
            try {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                return MatrixReader.read(copy);
            } finally {
                Files.deleteIfExists(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled data " + DATA + ": " + e.getMessage(), e);
        }
    }

    /** parts.png: each row of H as a 28×28 image; reconstructions.png: 8 digits over their W·H rows. */
    private void drawPictures(DenseMatrix v, NmfResult result) {
        Path parts = outDir.resolve("parts.png");
        ImageGrid.writePng(ImageGrid.render(result.h(), SIDE, SIDE, Math.min(8, result.rank()), 4), parts);
        int shown = Math.min(8, v.rows());
        int k = result.rank();
        double[] w = result.w().toDoubleArray();
        double[] h = result.h().toDoubleArray();
        DenseMatrix.Builder pairs = new DenseMatrix.Builder(2 * shown, SIDE * SIDE, Precision.DOUBLE);
        double[] row = new double[SIDE * SIDE];
        for (int d = 0; d < shown; d++) {
            int digit = d * v.rows() / shown; // spread out: the bundled rows are grouped by label
            v.copyRow(digit, row);
            pairs.setRow(d, row);
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double weight = w[digit * k + p];
                for (int j = 0; j < row.length; j++) {
                    row[j] += weight * h[p * row.length + j];
                }
            }
            pairs.setRow(shown + d, row);
        }
        Path reconstructions = outDir.resolve("reconstructions.png");
        ImageGrid.writePng(ImageGrid.render(pairs.build(), SIDE, SIDE, shown, 4), reconstructions);
        out.println("parts (rows of H as images): " + parts);
        out.println("digits (top) and their reconstructions W·H (bottom): " + reconstructions);
    }
}
