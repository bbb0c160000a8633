package org.jnmf.demo;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import org.jnmf.io.AtomicFiles;

/**
 * Heatmaps of a matrix (W or H), as PNG through {@code javax.imageio} or as SVG rectangles. Each row
 * (or each column) is scaled to its own maximum, so that a component with small entries still shows its
 * pattern; white is 0 and dark red the maximum. Matrices larger than the picture allows are shrunk by
 * averaging blocks of rows and of columns.
 */
public final class Heatmap {
    /** Which entries share one scale. */
    public enum Scale {
        /** Each row scaled to its own maximum (H: one row per component). */
        PER_ROW,
        /** Each column scaled to its own maximum (W: one column per component). */
        PER_COLUMN
    }

    private static final int[][] PALETTE = {{255, 255, 255}, {253, 174, 97}, {215, 48, 39}, {103, 0, 13}};

    private final double[][] cells;

    private Heatmap(double[][] cells) {
        this.cells = cells;
    }

    /**
     * A heatmap of {@code values} with at most {@code maxRows}×{@code maxCols} cells.
     *
     * @throws IllegalArgumentException if the matrix is empty or has a negative or non-finite entry
     */
    public static Heatmap of(double[][] values, Scale scale, int maxRows, int maxCols) {
        if (values.length == 0 || values[0].length == 0) {
            throw new IllegalArgumentException("cannot draw a heatmap of an empty matrix");
        }
        double[][] binned = bin(values, Math.min(maxRows, values.length), Math.min(maxCols, values[0].length));
        int rows = binned.length;
        int cols = binned[0].length;
        if (scale == Scale.PER_ROW) {
            for (double[] row : binned) {
                normalise(row);
            }
        } else {
            for (int j = 0; j < cols; j++) {
                double max = 0;
                for (double[] row : binned) {
                    max = Math.max(max, row[j]);
                }
                for (double[] row : binned) {
                    row[j] = max > 0 ? row[j] / max : 0;
                }
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (!(binned[i][j] >= 0) || Double.isInfinite(binned[i][j])) {
                    throw new IllegalArgumentException("cannot draw entry (" + i + ", " + j + ") = " + binned[i][j]
                            + ": heatmaps show non-negative finite values");
                }
            }
        }
        return new Heatmap(binned);
    }

    /** Number of cell rows drawn (after shrinking). */
    public int rows() {
        return cells.length;
    }

    /** Number of cell columns drawn (after shrinking). */
    public int cols() {
        return cells[0].length;
    }

    /** The picture, each cell {@code cellWidth}×{@code cellHeight} pixels. */
    public BufferedImage image(int cellWidth, int cellHeight) {
        BufferedImage image = new BufferedImage(cols() * cellWidth, rows() * cellHeight, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < rows(); i++) {
            for (int j = 0; j < cols(); j++) {
                int rgb = colour(cells[i][j]);
                for (int y = i * cellHeight; y < (i + 1) * cellHeight; y++) {
                    for (int x = j * cellWidth; x < (j + 1) * cellWidth; x++) {
                        image.setRGB(x, y, rgb);
                    }
                }
            }
        }
        return image;
    }

    /** The same picture as SVG: one rectangle per cell. */
    public String svg(int cellWidth, int cellHeight) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">%n",
                cols() * cellWidth, rows() * cellHeight));
        for (int i = 0; i < rows(); i++) {
            for (int j = 0; j < cols(); j++) {
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>%n",
                        j * cellWidth, i * cellHeight, cellWidth, cellHeight, colour(cells[i][j]) & 0xffffff));
            }
        }
        return s.append("</svg>\n").toString();
    }

    public void writePng(Path file, int cellWidth, int cellHeight) {
        ImageGrid.writePng(image(cellWidth, cellHeight), file);
    }

    public void writeSvg(Path file, int cellWidth, int cellHeight) {
        AtomicFiles.writeString(file, svg(cellWidth, cellHeight));
    }

    /** The colour of a value in [0, 1]: white through orange and red to dark red. */
    static int colour(double t) {
        double x = Math.min(1, Math.max(0, t)) * (PALETTE.length - 1);
        int lo = Math.min((int) x, PALETTE.length - 2);
        double f = x - lo;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            int v = (int) Math.round(PALETTE[lo][c] + f * (PALETTE[lo + 1][c] - PALETTE[lo][c]));
            rgb = (rgb << 8) | v;
        }
        return rgb;
    }

    private static void normalise(double[] row) {
        double max = 0;
        for (double v : row) {
            max = Math.max(max, v);
        }
        for (int j = 0; j < row.length; j++) {
            row[j] = max > 0 ? row[j] / max : 0;
        }
    }

    /** Averages blocks of rows and columns so that the result is rows×cols. */
    private static double[][] bin(double[][] v, int rows, int cols) {
        int n = v.length;
        int m = v[0].length;
        double[][] out = new double[rows][cols];
        int[] count = new int[rows * cols];
        for (int i = 0; i < n; i++) {
            int bi = (int) ((long) i * rows / n);
            for (int j = 0; j < m; j++) {
                int bj = (int) ((long) j * cols / m);
                out[bi][bj] += v[i][j];
                count[bi * cols + bj]++;
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] /= count[i * cols + j];
            }
        }
        return out;
    }
}
