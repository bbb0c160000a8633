package org.jnmf.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class HeatmapTest {
    @Test
    void eachRowIsScaledToItsMaximumWhiteForZeroDarkestForTheMaximum() {
        Heatmap map = Heatmap.of(new double[][] {{0, 5, 10}, {0, 0.5, 1}}, Heatmap.Scale.PER_ROW, 10, 10);
        BufferedImage image = map.image(3, 2);
        assertEquals(9, image.getWidth());
        assertEquals(4, image.getHeight());
        assertEquals(0xffffff, image.getRGB(0, 0) & 0xffffff, "0 is white");
        assertEquals(Heatmap.colour(1), image.getRGB(8, 0) & 0xffffff);
        assertEquals(image.getRGB(4, 0), image.getRGB(4, 3), "rows 10× apart look the same once scaled");
        assertEquals(0x67000d, Heatmap.colour(1), "the darkest red");
    }

    @Test
    void aFigureDrawsTheCellsUnchangedAndNamesEveryRowAndColumnThatFits(@org.junit.jupiter.api.io.TempDir
                                                                         java.nio.file.Path dir) throws Exception {
        Heatmap map = Heatmap.of(new double[][] {{0, 5, 10}, {0, 0.5, 1}}, Heatmap.Scale.PER_ROW, 10, 10);
        java.nio.file.Path png = dir.resolve("f.png");
        java.nio.file.Path svg = dir.resolve("f.svg");
        map.writeFigure(png, svg, new Heatmap.Labels("A title", "the x axis", "the y axis", java.util.List.of("r1", "r2"),
                java.util.List.of("alpha", "beta", "gamma"), java.util.List.of(), "÷ row max"), 20, 12);
        BufferedImage figure = javax.imageio.ImageIO.read(png.toFile());
        BufferedImage cells = map.image(20, 12);
        // The cells appear once, unchanged, somewhere inside the figure.
        int found = 0;
        for (int y = 0; y + cells.getHeight() <= figure.getHeight(); y++) {
            for (int x = 0; x + cells.getWidth() <= figure.getWidth(); x++) {
                if (sameAt(figure, cells, x, y)) {
                    found++;
                }
            }
        }
        assertEquals(1, found, "the cells, drawn once");
        String text = java.nio.file.Files.readString(svg);
        for (String label : java.util.List.of("A title", "the x axis", "the y axis", "r1", "r2", "alpha", "gamma",
                "row max", "max", ">0<")) {
            assertTrue(text.contains(label), "the SVG lacks " + label);
        }
        // Column groups: a band with each group's name (and a line between groups across the cells).
        map.writeFigure(png, svg, new Heatmap.Labels("A title", "x", "y", java.util.List.of(), java.util.List.of(),
                java.util.List.of(new Heatmap.Group("g1", 0, 2), new Heatmap.Group("g2", 2, 3)), "÷ row max"), 20, 12);
        String grouped = java.nio.file.Files.readString(svg);
        assertTrue(grouped.contains(">g1<") && grouped.contains(">g2<"), "group names");
    }

    private static boolean sameAt(BufferedImage big, BufferedImage small, int x0, int y0) {
        for (int y = 0; y < small.getHeight(); y++) {
            for (int x = 0; x < small.getWidth(); x++) {
                if (big.getRGB(x0 + x, y0 + y) != small.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void largeMatricesAreAveragedInBlocks() {
        double[][] v = new double[100][4];
        for (int i = 0; i < 100; i++) {
            v[i][0] = i < 50 ? 1 : 0;
            v[i][1] = 1;
            v[i][2] = i < 50 ? i % 2 : 1; // the first five blocks of ten rows average ½, the others 1
            v[i][3] = 2;
        }
        Heatmap map = Heatmap.of(v, Heatmap.Scale.PER_COLUMN, 10, 4);
        assertEquals(10, map.rows());
        assertEquals(4, map.cols());
        BufferedImage image = map.image(1, 1);
        assertEquals(4 * 10, image.getWidth() * image.getHeight(), "one pixel per cell");
        assertEquals(Heatmap.colour(0.5), image.getRGB(2, 0) & 0xffffff, "the first half of column 2 is ½ of its maximum");
    }

    @Test
    void refusesEmptyOrNegativeMatrices() {
        assertThrows(IllegalArgumentException.class, () -> Heatmap.of(new double[0][0], Heatmap.Scale.PER_ROW, 5, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Heatmap.of(new double[][] {{1, -1}}, Heatmap.Scale.PER_ROW, 5, 5));
    }
}
