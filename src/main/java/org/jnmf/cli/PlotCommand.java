package org.jnmf.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.demo.Charts;
import org.jnmf.demo.Heatmap;
import org.jnmf.io.MatrixReader;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jnmf plot DIR}: charts of a fit's output folder (what {@code fit} or a demo wrote): the loss
 * curve, the weight of each component, and heatmaps of W and H, each as PNG and SVG.
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Draw a fit's results (the folder 'jnmf fit' or 'jnmf demo' wrote), each as PNG and SVG:",
                "  loss       the loss at each check, log scale",
                "  weights    each component's weight ‖W[:,c]‖·‖H[c,:]‖ (the Frobenius norm of its rank-one part)",
                "  W-heatmap  W, each column scaled to its maximum (rows averaged in blocks when there are many)",
                "  H-heatmap  H, each row scaled to its maximum (columns averaged in blocks when there are many)",
                "Heatmaps carry a title, axis names, a colour bar, and V's row and column names from summary.json"
                        + " where each fits."})
final class PlotCommand implements Callable<Integer> {
    /** Heatmaps keep at most this many cells along each side (more rows or columns are averaged in blocks). */
    static final int MAX_CELLS = 400;
    static final int CHART_WIDTH = 800;
    static final int CHART_HEIGHT = 500;

    private final PrintStream out;

    @Parameters(index = "0", paramLabel = "DIR", description = "A fit's output folder: summary.json, W and H.")
    Path dir;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder for the pictures. Default: DIR itself.")
    Path outDir;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    PlotCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Path summaryFile = dir.resolve("summary.json");
        String summary;
        try {
            summary = Files.readString(summaryFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage(dir + " has no summary.json; name the folder 'jnmf fit --out' wrote");
        } catch (IOException e) {
            throw CliException.usage("cannot read " + summaryFile + ": " + e.getMessage());
        }
        double[] loss = required(summary, "loss_history", summaryFile);
        double[] checks = required(summary, "check_iterations", summaryFile);
        if (loss.length != checks.length || loss.length == 0) {
            throw CliException.usage(summaryFile + ": loss_history and check_iterations should be equally long"
                    + " and not empty; rewrite it with 'jnmf fit'");
        }
        DenseMatrix w = factor(summary, "w", "W", summaryFile);
        DenseMatrix h = factor(summary, "h", "H", summaryFile);
        if (w.cols() != h.rows()) {
            throw CliException.usage("W is " + w.rows() + "×" + w.cols() + " but H is " + h.rows() + "×" + h.cols()
                    + ": they do not belong to one fit");
        }
        Path target = outDir != null ? outDir : dir;
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw CliException.usage("cannot create " + target + ": " + e.getMessage() + "; choose another --out");
        }
        XYChart lossChart = Charts.line("Loss", "iteration", "loss", CHART_WIDTH, CHART_HEIGHT, true);
        Charts.addSeries(lossChart, "loss", checks, loss);
        write(lossChart, target, "loss");
        write(weightsChart(w, h), target, "weights");
        int k = w.cols();
        List<String> rowNames = names(summary, "row_names", w.rows(), summaryFile);
        List<String> columnNames = names(summary, "column_names", h.cols(), summaryFile);
        List<String> components = new ArrayList<>();
        for (int c = 1; c <= k; c++) {
            components.add(Integer.toString(c));
        }
        Heatmap wMap = Heatmap.of(w.toArray(), Heatmap.Scale.PER_COLUMN, MAX_CELLS, MAX_CELLS);
        int wCellWidth = Math.max(12, 240 / k);
        int wCellHeight = Math.max(1, Math.min(14, 600 / wMap.rows()));
        wMap.writeFigure(target.resolve("W-heatmap.png"), target.resolve("W-heatmap.svg"), new Heatmap.Labels(
                "W: " + w.rows() + " rows × " + k + " components", "component", rowNames.isEmpty() ? "row of V"
                : "row of V (" + w.rows() + ")", rowNames, components, List.of(), "÷ column max"),
                wCellWidth, wCellHeight);
        Heatmap hMap = Heatmap.of(h.toArray(), Heatmap.Scale.PER_ROW, MAX_CELLS, MAX_CELLS);
        int hCellWidth = Math.max(1, Math.min(14, 800 / hMap.cols()));
        int hCellHeight = Math.max(12, 240 / k);
        hMap.writeFigure(target.resolve("H-heatmap.png"), target.resolve("H-heatmap.svg"), new Heatmap.Labels(
                "H: " + k + " components × " + h.cols() + " columns", columnNames.isEmpty() ? "column of V"
                : "column of V (" + h.cols() + ")", "component", components, columnNames, List.of(), "÷ row max"),
                hCellWidth, hCellHeight);
        out.println("wrote loss, weights, W-heatmap and H-heatmap (.png and .svg) to " + target);
        return 0;
    }

    /** ‖W[:,c]‖₂·‖H[c,:]‖₂ per component c: the Frobenius norm of W[:,c]·H[c,:], its share of W·H's size. */
    static double[] componentWeights(DenseMatrix w, DenseMatrix h) {
        int k = w.cols();
        double[] wNorm = new double[k];
        double[] row = new double[k];
        for (int i = 0; i < w.rows(); i++) {
            w.copyRow(i, row);
            for (int c = 0; c < k; c++) {
                wNorm[c] += row[c] * row[c];
            }
        }
        double[] weights = new double[k];
        double[] hRow = new double[h.cols()];
        for (int c = 0; c < k; c++) {
            h.copyRow(c, hRow);
            double hNorm = 0;
            for (double x : hRow) {
                hNorm += x * x;
            }
            weights[c] = Math.sqrt(wNorm[c] * hNorm);
        }
        return weights;
    }

    private static CategoryChart weightsChart(DenseMatrix w, DenseMatrix h) {
        double[] weights = componentWeights(w, h);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < weights.length; c++) {
            names.add(Integer.toString(c + 1));
        }
        return Charts.bars("Component weights", "component", "‖W[:,c]‖·‖H[c,:]‖", CHART_WIDTH, CHART_HEIGHT,
                names, weights);
    }

    private void write(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path target, String name) {
        Charts.writePng(chart, target.resolve(name + ".png"));
        Charts.writeSvg(chart, target.resolve(name + ".svg"));
    }

    /** The names under {@code key} in summary.json when there are {@code count} of them; empty otherwise. */
    private static List<String> names(String summary, String key, int count, Path file) {
        List<String> names;
        try {
            names = Json.strings(summary, key);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(file + ": " + e.getMessage() + "; rewrite it with 'jnmf fit'");
        }
        return names != null && names.size() == count ? names : List.of();
    }

    private static double[] required(String summary, String key, Path file) {
        double[] values;
        try {
            values = Json.numbers(summary, key);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(file + ": " + e.getMessage() + "; rewrite it with 'jnmf fit'");
        }
        if (values == null) {
            throw CliException.usage(file + " has no '" + key + "'; it was not written by this version of"
                    + " 'jnmf fit': fit again");
        }
        return values;
    }

    private DenseMatrix factor(String summary, String key, String name, Path summaryFile) {
        String fileName = Json.string(summary, key);
        if (fileName == null) {
            throw CliException.usage(summaryFile + " does not name the file of " + name + " ('" + key + "')");
        }
        Path file = dir.resolve(fileName);
        Matrix m;
        try {
            m = MatrixReader.read(file);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(name + ": " + e.getMessage());
        }
        return m instanceof DenseMatrix d ? d : ((org.jnmf.SparseMatrix) m).toDense(org.jnmf.Precision.DOUBLE);
    }
}
