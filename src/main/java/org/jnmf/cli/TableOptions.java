package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.jnmf.io.LabeledMatrix;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.ReadOptions;
import picocli.CommandLine.Option;

/** How a command reads a CSV/TSV input's header row and row names: detected unless these options say. */
final class TableOptions {
    @Option(names = "--header", negatable = true, description = "CSV/TSV input: the first row is column names"
            + " (--no-header: it is data). Default: detected from the file, with a note when guessed.")
    Boolean header;

    @Option(names = "--row-names", negatable = true, description = "CSV/TSV input: the first column is row names"
            + " (--no-row-names: it is data). Default: detected from the file, with a note when guessed.")
    Boolean rowNames;

    ReadOptions readOptions(boolean missingValues) {
        ReadOptions options = ReadOptions.defaults().withMissingValues(missingValues);
        if (header != null) {
            options = options.withHeader(header);
        }
        if (rowNames != null) {
            options = options.withRowNames(rowNames);
        }
        return options;
    }

    /** Reads {@code input}, printing the reader's notes on what it detected to {@code err} unless quiet. */
    LabeledMatrix read(Path input, boolean missingValues, boolean quiet, PrintStream err) {
        LabeledMatrix read = MatrixReader.readLabeled(input, readOptions(missingValues));
        if (!quiet) {
            for (String note : read.notes()) {
                err.println("jnmf: note: " + note);
            }
            err.flush();
        }
        return read;
    }
}
