package org.jnmf.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jnmf.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The charts jnmf draws (with XChart), and writing them as PNG or SVG, all or nothing. */
public final class Charts {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** A line chart of y against x; {@code logY} draws the y axis on a log scale (non-positive values are left out). */
    public static XYChart line(String title, String xTitle, String yTitle, int width, int height, boolean logY) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return chart;
    }

    /** Adds a series to a line chart; on a log axis, points with y ≤ 0 or y not finite are dropped. */
    public static XYSeries addSeries(XYChart chart, String name, double[] x, double[] y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        boolean log = chart.getStyler().isYAxisLogarithmic();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && (!log || y[i] > 0)) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("series '" + name + "' has no value to draw"
                    + (log ? " on a log scale (all ≤ 0)" : ""));
        }
        return chart.addSeries(name, xs, ys);
    }

    /** A bar chart of one value per label. */
    public static CategoryChart bars(String title, String xTitle, String yTitle, int width, int height,
                                     List<String> labels, double[] values) {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        if (labels.size() > 8) {
            chart.getStyler().setXAxisLabelRotation(60);
        }
        List<Double> ys = new ArrayList<>();
        for (double v : values) {
            ys.add(v);
        }
        chart.addSeries(yTitle.isEmpty() ? "value" : yTitle, labels, ys);
        return chart;
    }

    public static void writePng(Chart<?, ?> chart, Path file) {
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    public static void writeSvg(Chart<?, ?> chart, Path file) {
        AtomicFiles.write(file, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }

    /** Several charts in one PNG, {@code columns} to a row, each in a cell as large as the largest chart. */
    public static void writePngGrid(List<? extends Chart<?, ?>> charts, int columns, Path file) {
        List<java.awt.image.BufferedImage> images = new ArrayList<>();
        int cellWidth = 0;
        int cellHeight = 0;
        for (Chart<?, ?> chart : charts) {
            java.awt.image.BufferedImage image = BitmapEncoder.getBufferedImage(chart);
            images.add(image);
            cellWidth = Math.max(cellWidth, image.getWidth());
            cellHeight = Math.max(cellHeight, image.getHeight());
        }
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        java.awt.image.BufferedImage grid = new java.awt.image.BufferedImage(cols * cellWidth, rows * cellHeight,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = grid.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int t = 0; t < images.size(); t++) {
                g.drawImage(images.get(t), (t % cols) * cellWidth, (t / cols) * cellHeight, null);
            }
        } finally {
            g.dispose();
        }
        ImageGrid.writePng(grid, file);
    }
}
