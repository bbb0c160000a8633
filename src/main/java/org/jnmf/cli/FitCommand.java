package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jnmf.Matrix;
import org.jnmf.NmfOptions;
import org.jnmf.io.LabeledMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jnmf fit INPUT --rank K --out DIR}: reads V, factors it and writes W, H and summary.json. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Factor the matrix in INPUT as V ≈ W·H and write W, H and summary.json to --out.",
                "Input: .mtx (Matrix Market), .npy (NumPy float32/float64), .csv, .tsv, and each as .gz."},
        footer = {"", "Example: jnmf fit data.csv.gz --rank 10 --out result --max-iter 500 --time-limit 5m"})
final class FitCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Parameters(index = "0", paramLabel = "INPUT", description = "The matrix V to factor (rows are samples).")
    Path input;

    @Mixin
    FitOptions fit;

    @Mixin
    TableOptions table;

    FitCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        NmfOptions.Builder options = fit.options();
        try (FitJob job = fit.job(out, err)) {
            // Before reading, so that an unwritable folder costs no time.
            job.prepareOutput();
            try {
                LabeledMatrix read = table.read(input, fit.missingAreNan(), fit.quiet, err);
                Matrix v = read.matrix();
                fit.checkRank(v, options.build(), input.toString());
                job.names(read.rowNames(), read.columnNames()).run(v, options, input.toString());
            } catch (RuntimeException | Error e) {
                job.abandonOutput();
                throw e;
            }
        }
        return 0;
    }
}
