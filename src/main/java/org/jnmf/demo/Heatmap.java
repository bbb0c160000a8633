package org.jnmf.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.jnmf.io.AtomicFiles;

/**
 * Heatmaps of a matrix (W or H): the cells as an image, or a figure with title, axes, names and a colour
 * bar as PNG (through {@code javax.imageio}) and SVG (through VectorGraphics2D, one rectangle per cell). Each row
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
    /** The matrix's own size, before blocks were averaged. */
    private final int sourceRows;
    private final int sourceCols;

    private Heatmap(double[][] cells, int sourceRows, int sourceCols) {
        this.cells = cells;
        this.sourceRows = sourceRows;
        this.sourceCols = sourceCols;
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
        return new Heatmap(binned, values.length, values[0].length);
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

    /**
     * A column range [{@code from}, {@code to}) of the matrix (indices before blocks are averaged) drawn as
     * one group: a band above the map with its name, and a line between groups (e.g. samples by cluster).
     */
    public record Group(String name, int from, int to) {
    }

    /**
     * What a figure shows around the cells. Names label rows or columns when every one fits (no averaged
     * blocks, cells at least {@value #MIN_LABELLED_CELL} pixels), otherwise a few indices do; empty lists
     * mean no names.
     *
     * @param scale what the colour bar's top means, e.g. "each row's maximum"
     */
    public record Labels(String title, String xAxis, String yAxis, List<String> rowNames, List<String> columnNames,
                         List<Group> columnGroups, String scale) {
        public Labels {
            rowNames = List.copyOf(rowNames);
            columnNames = List.copyOf(columnNames);
            columnGroups = List.copyOf(columnGroups);
        }
    }

    /** Rows or columns get their names from this many pixels per cell up. */
    static final int MIN_LABELLED_CELL = 10;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font AXIS = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final int GAP = 6;
    private static final int BAR_WIDTH = 16;
    private static final int GROUP_BAND = 16;

    /** Writes the figure (title, axes, labels, groups and colour bar around the cells) as PNG and as SVG. */
    public void writeFigure(Path png, Path svg, Labels labels, int cellWidth, int cellHeight) {
        Layout layout = layout(labels, cellWidth, cellHeight);
        BufferedImage image = new BufferedImage(layout.width, layout.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        draw(g, layout, labels, cellWidth, cellHeight);
        g.dispose();
        ImageGrid.writePng(image, png);
        de.erichseifert.vectorgraphics2d.VectorGraphics2D vg = new de.erichseifert.vectorgraphics2d.VectorGraphics2D();
        draw(vg, layout, labels, cellWidth, cellHeight);
        de.erichseifert.vectorgraphics2d.Document document = new de.erichseifert.vectorgraphics2d.svg.SVGProcessor()
                .getDocument(vg.getCommands(), new de.erichseifert.vectorgraphics2d.util.PageSize(layout.width,
                        layout.height));
        AtomicFiles.write(svg, document::writeTo);
    }

    /** Pixel positions of the figure's parts. */
    private record Layout(int width, int height, int mapX, int mapY, int mapWidth, int mapHeight, boolean rowNames,
                          boolean columnNames, int columnLabelHeight) {
    }

    private Layout layout(Labels labels, int cellWidth, int cellHeight) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics tick = g.getFontMetrics(TICK);
        FontMetrics axis = g.getFontMetrics(AXIS);
        FontMetrics title = g.getFontMetrics(TITLE);
        boolean rowNames = labels.rowNames().size() == sourceRows && rows() == sourceRows
                && cellHeight >= MIN_LABELLED_CELL;
        boolean columnNames = labels.columnNames().size() == sourceCols && cols() == sourceCols
                && cellWidth >= MIN_LABELLED_CELL;
        int rowLabelWidth = tick.stringWidth(Integer.toString(sourceRows));
        if (rowNames) {
            for (String name : labels.rowNames()) {
                rowLabelWidth = Math.max(rowLabelWidth, tick.stringWidth(name));
            }
        }
        int columnLabelHeight = tick.getHeight();
        if (columnNames) {
            for (String name : labels.columnNames()) {
                columnLabelHeight = Math.max(columnLabelHeight, tick.stringWidth(name));
            }
        }
        int mapWidth = cols() * cellWidth;
        int mapHeight = rows() * cellHeight;
        int mapX = GAP + axis.getHeight() + GAP + rowLabelWidth + GAP;
        int mapY = GAP + title.getHeight() + GAP + (labels.columnGroups().isEmpty() ? 0 : GROUP_BAND + GAP);
        int barLabel = tick.stringWidth("max") + GAP;
        int width = Math.max(mapX + mapWidth + 3 * GAP + BAR_WIDTH + barLabel + axis.getHeight() + GAP,
                title.stringWidth(labels.title()) + 2 * GAP);
        int height = mapY + Math.max(mapHeight, 80) + GAP + columnLabelHeight + GAP + axis.getHeight() + GAP;
        g.dispose();
        return new Layout(width, height, mapX, mapY, mapWidth, mapHeight, rowNames, columnNames, columnLabelHeight);
    }

    private void draw(Graphics2D g, Layout l, Labels labels, int cellWidth, int cellHeight) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, l.width, l.height);
        for (int i = 0; i < rows(); i++) {
            for (int j = 0; j < cols(); j++) {
                g.setColor(new Color(colour(cells[i][j])));
                g.fillRect(l.mapX + j * cellWidth, l.mapY + i * cellHeight, cellWidth, cellHeight);
            }
        }
        g.setColor(Color.GRAY);
        g.drawRect(l.mapX - 1, l.mapY - 1, l.mapWidth + 1, l.mapHeight + 1);

        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        FontMetrics titleMetrics = g.getFontMetrics();
        g.drawString(labels.title(), Math.max(GAP, (l.width - titleMetrics.stringWidth(labels.title())) / 2),
                GAP + titleMetrics.getAscent());

        g.setFont(TICK);
        FontMetrics tick = g.getFontMetrics();
        // Row labels: every name, or the first, middle and last index (1-based) of the matrix's rows.
        if (l.rowNames) {
            for (int i = 0; i < rows(); i++) {
                String name = labels.rowNames().get(i);
                g.drawString(name, l.mapX - GAP - tick.stringWidth(name),
                        l.mapY + i * cellHeight + (cellHeight + tick.getAscent()) / 2 - 1);
            }
        } else {
            for (int i : ticks(sourceRows)) {
                String text = Integer.toString(i + 1);
                int y = l.mapY + (int) ((i + 0.5) * l.mapHeight / sourceRows);
                g.drawString(text, l.mapX - GAP - tick.stringWidth(text), y + tick.getAscent() / 2);
            }
        }
        int labelTop = l.mapY + Math.max(l.mapHeight, 80) + GAP;
        if (l.columnNames) {
            for (int j = 0; j < cols(); j++) {
                String name = labels.columnNames().get(j);
                AffineTransform saved = g.getTransform();
                g.translate(l.mapX + j * cellWidth + (cellWidth + tick.getAscent()) / 2 - 1,
                        labelTop + tick.stringWidth(name));
                g.rotate(-Math.PI / 2);
                g.drawString(name, 0, 0);
                g.setTransform(saved);
            }
        } else {
            for (int j : ticks(sourceCols)) {
                String text = Integer.toString(j + 1);
                int x = l.mapX + (int) ((j + 0.5) * l.mapWidth / sourceCols);
                g.drawString(text, x - tick.stringWidth(text) / 2, labelTop + tick.getAscent());
            }
        }

        // Column groups: a band of names above the map, a line between groups.
        int bandY = l.mapY - GAP - GROUP_BAND;
        for (Group group : labels.columnGroups()) {
            int x0 = l.mapX + (int) ((long) group.from() * l.mapWidth / sourceCols);
            int x1 = l.mapX + (int) ((long) group.to() * l.mapWidth / sourceCols);
            g.setColor(new Color(230, 230, 230));
            g.fillRect(x0, bandY, Math.max(1, x1 - x0 - 1), GROUP_BAND);
            g.setColor(Color.BLACK);
            String name = group.name();
            if (tick.stringWidth(name) <= x1 - x0) {
                g.drawString(name, (x0 + x1 - tick.stringWidth(name)) / 2, bandY + (GROUP_BAND + tick.getAscent()) / 2 - 1);
            }
            if (group.from() > 0) {
                g.setStroke(new BasicStroke(2));
                g.drawLine(x0, l.mapY, x0, l.mapY + l.mapHeight);
                g.setStroke(new BasicStroke(1));
            }
        }

        // Axis titles.
        g.setColor(Color.BLACK);
        g.setFont(AXIS);
        FontMetrics axis = g.getFontMetrics();
        g.drawString(labels.xAxis(), l.mapX + (l.mapWidth - axis.stringWidth(labels.xAxis())) / 2,
                labelTop + l.columnLabelHeight + GAP + axis.getAscent());
        AffineTransform saved = g.getTransform();
        g.translate(GAP + axis.getAscent(), l.mapY + (l.mapHeight + axis.stringWidth(labels.yAxis())) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(labels.yAxis(), 0, 0);
        g.setTransform(saved);

        // Colour bar: 0 (white) at the bottom to the scale's maximum at the top.
        int barX = l.mapX + l.mapWidth + 3 * GAP;
        int barHeight = Math.max(l.mapHeight, 80);
        for (int y = 0; y < barHeight; y++) {
            g.setColor(new Color(colour(1 - (double) y / (barHeight - 1))));
            g.fillRect(barX, l.mapY + y, BAR_WIDTH, 1);
        }
        g.setColor(Color.GRAY);
        g.drawRect(barX, l.mapY, BAR_WIDTH, barHeight);
        g.setColor(Color.BLACK);
        g.setFont(TICK);
        g.drawString("max", barX + BAR_WIDTH + GAP / 2, l.mapY + tick.getAscent());
        g.drawString("0", barX + BAR_WIDTH + GAP / 2, l.mapY + barHeight);
        g.setFont(AXIS);
        saved = g.getTransform();
        g.translate(barX + BAR_WIDTH + GAP + tick.stringWidth("max") + axis.getAscent(),
                l.mapY + (barHeight + axis.stringWidth(labels.scale())) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(labels.scale(), 0, 0);
        g.setTransform(saved);
    }

    /** The first, middle and last index of n (fewer when n is small). */
    private static int[] ticks(int n) {
        return n == 1 ? new int[] {0} : n == 2 ? new int[] {0, 1} : new int[] {0, (n - 1) / 2, n - 1};
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
