package org.jnmf.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.NmfModel;
import org.jnmf.io.AtomicFiles;
import org.jnmf.io.LabeledMatrix;
import org.jnmf.io.MatrixWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jnmf transform MODEL INPUT --out DIR [--columns]}: W for new rows with the model's H fixed (or,
 * with --columns, H for new columns with its W fixed), by exact non-negative least squares.
 */
@Command(name = "transform", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Express new data in a saved model's components: W for the rows of INPUT with the model's"
                + " H held fixed (as scikit-learn's transform), or H for its columns with --columns.",
                "MODEL is a file from 'jnmf fit --save'; INPUT is read as 'jnmf fit' reads it."},
        footer = {"", "Example: jnmf fit train.csv --rank 10 --out fit --save model.jnmf",
                "         jnmf transform model.jnmf new.csv --out new"})
final class TransformCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A model saved by 'jnmf fit --save'.")
    Path model;

    @Parameters(index = "1", paramLabel = "INPUT", description = "New rows (n×m with the model's m columns), or"
            + " with --columns new columns (the model's n rows).")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Folder for W (or H with --columns); created if missing.")
    Path outDir;

    @Option(names = "--columns", description = "INPUT holds new columns: find H with the model's W fixed.")
    boolean columns;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "npy",
            description = "Format of the result: npy or csv. Default: ${DEFAULT-VALUE}.")
    String format;

    @Mixin
    TableOptions table;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    TransformCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        String extension = format.toLowerCase(Locale.ROOT);
        if (!extension.equals("npy") && !extension.equals("csv")) {
            throw CliException.usage("--format must be npy or csv; got '" + format + "'");
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw CliException.usage("--out " + outDir + " is a file, not a folder; name a folder for the result");
        }
        NmfModel loaded = NmfModel.load(model);
        LabeledMatrix read = table.read(input, false, false, err);
        Matrix v = read.matrix();
        DenseMatrix result;
        try {
            result = columns ? loaded.transformColumns(v) : loaded.transform(v);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(input + ": " + e.getMessage()
                    + (columns ? "" : " (or, for new columns, add --columns)"));
        }
        try {
            Files.createDirectories(outDir);
        } catch (FileAlreadyExistsException e) {
            throw CliException.usage("cannot create output folder " + outDir + ": " + e.getFile() + " is a file");
        } catch (IOException e) {
            throw CliException.usage("cannot create output folder " + outDir + ": " + e.getMessage());
        }
        Path target = outDir.resolve((columns ? "H." : "W.") + extension);
        // New rows keep the input's row names (W), new columns its column names (H), beside the component names.
        java.util.List<String> names = columns ? read.columnNames() : read.rowNames();
        java.util.List<String> components = names.isEmpty() ? java.util.List.of() : FitJob.componentNames(loaded.rank());
        AtomicFiles.write(target, columns ? MatrixWriter.contentFor(result, target, components, names)
                : MatrixWriter.contentFor(result, target, names, components));
        out.println("wrote " + target + " (" + result.rows() + "×" + result.cols() + "): "
                + (columns ? "the columns" : "the rows") + " of " + input + " in the " + loaded.rank()
                + " components of " + model);
        out.flush();
        return 0;
    }
}
