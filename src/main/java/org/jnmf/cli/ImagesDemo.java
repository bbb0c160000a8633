package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.analysis.Clustering;
import org.jnmf.demo.BundledData;
import org.jnmf.demo.ImageGrid;

/**
 * {@code jnmf demo images}: 2000 MNIST digits or 1000 Fashion-MNIST images (28×28 each) factored into parts,
 * which look like pen strokes or pieces of garments; parts.png shows them, reconstructions.png a few images
 * over their W·H rows.
 */
final class ImagesDemo implements DemoCommand.Demo {
    static final int SIDE = 28;
    /** Pixel size of each image pixel in the PNGs. */
    static final int SCALE = 4;

    private final String dataset;
    private final String file;
    private final String labelsFile;
    private int[] labels;

    ImagesDemo(String dataset) {
        this.dataset = dataset.toLowerCase(Locale.ROOT);
        switch (this.dataset) {
            case "mnist" -> {
                file = "mnist2k.csv.gz";
                labelsFile = "mnist2k_labels.txt";
            }
            case "fashion" -> {
                file = "fashion1k.csv.gz";
                labelsFile = "fashion1k_labels.txt";
            }
            default -> throw CliException.usage("--dataset must be mnist or fashion; got '" + dataset + "'");
        }
    }

    @Override
    public int defaultRank() {
        return 16;
    }

    @Override
    public Algorithm defaultAlgorithm() {
        return Algorithm.HALS;
    }

    @Override
    public int defaultMaxIterations() {
        return 200;
    }

    @Override
    public Matrix load(Path data) {
        List<String> lines = BundledData.lines(labelsFile);
        labels = lines.stream().mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        Matrix v = data == null ? BundledData.matrix(file) : DemoCommand.readData(data);
        String name = data == null ? "the bundled " + file : "--data " + data;
        DemoCommand.checkSamples(name, v.rows(), lines);
        if (v.cols() != SIDE * SIDE) {
            throw CliException.usage(name + " has " + v.cols() + " columns; the images demo needs "
                    + SIDE * SIDE + " (28×28 pixels per row)");
        }
        return v;
    }

    @Override
    public String label() {
        return dataset.equals("mnist") ? "bundled MNIST digits (" + file + ")" : "bundled Fashion-MNIST images (" + file + ")";
    }

    @Override
    public String describe(Matrix v, int rank) {
        return (dataset.equals("mnist") ? "MNIST: " + v.rows() + " digits" : "Fashion-MNIST: " + v.rows() + " images")
                + " of " + SIDE + "×" + SIDE
                + " pixels, " + rank + " parts";
    }

    @Override
    public void addScores(NmfResult result, Json summary, PrintStream out) {
        DemoCommand.scoreClusters(Clustering.dominantPerRow(result.w()), labels, summary, out,
                "images clustered");
    }

    /** parts.png: each row of H as a 28×28 image; reconstructions.png: 8 images over their W·H rows. */
    @Override
    public void draw(Matrix matrix, NmfResult result, Path dir, PrintStream out) {
        Path parts = dir.resolve("parts.png");
        ImageGrid.writePng(ImageGrid.render(result.h(), SIDE, SIDE, Math.min(8, result.rank()), SCALE), parts);
        int shown = Math.min(8, matrix.rows());
        int k = result.rank();
        double[] w = result.w().toDoubleArray();
        double[] h = result.h().toDoubleArray();
        DenseMatrix.Builder pairs = new DenseMatrix.Builder(2 * shown, SIDE * SIDE, Precision.DOUBLE);
        double[] row = new double[SIDE * SIDE];
        for (int d = 0; d < shown; d++) {
            int image = d * matrix.rows() / shown; // spread out: MNIST's bundled rows are grouped by label
            for (int j = 0; j < row.length; j++) {
                row[j] = matrix.get(image, j);
            }
            pairs.setRow(d, row);
            Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double weight = w[image * k + p];
                for (int j = 0; j < row.length; j++) {
                    row[j] += weight * h[p * row.length + j];
                }
            }
            pairs.setRow(shown + d, row);
        }
        Path reconstructions = dir.resolve("reconstructions.png");
        ImageGrid.writePng(ImageGrid.render(pairs.build(), SIDE, SIDE, shown, SCALE), reconstructions);
        out.println("parts (rows of H as images): " + parts);
        out.println("images (top) and their reconstructions W·H (bottom): " + reconstructions);
    }
}
