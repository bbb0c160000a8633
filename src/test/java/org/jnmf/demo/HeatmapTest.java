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
        String svg = map.svg(1, 1);
        assertEquals(40, svg.split("<rect").length - 1, "one rectangle per cell");
        assertTrue(svg.contains("fill=\"#" + String.format("%06x", Heatmap.colour(0.5)) + "\""), "the first half of column 2 is ½ of its maximum");
    }

    @Test
    void refusesEmptyOrNegativeMatrices() {
        assertThrows(IllegalArgumentException.class, () -> Heatmap.of(new double[0][0], Heatmap.Scale.PER_ROW, 5, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Heatmap.of(new double[][] {{1, -1}}, Heatmap.Scale.PER_ROW, 5, 5));
    }
}
