package org.jnmf.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jnmf.DenseMatrix;
import org.jnmf.io.AtomicFiles;

/**
 * Draws the rows of a matrix as a grid of small grey-scale images (one tile per row, each row holding
 * {@code height·width} pixels in row-major order), each tile contrast-normalised to its own maximum so
 * that faint components stay visible: how NMF's parts of images are looked at.
 */
public final class ImageGrid {
    private static final int GAP = 2;

    private ImageGrid() {
    }

    /**
     * Renders {@code tiles} (one image per row) into a PNG, {@code columns} tiles per grid row, each pixel
     * drawn as a {@code scale}×{@code scale} square; dark means large.
     */
    public static BufferedImage render(DenseMatrix tiles, int height, int width, int columns, int scale) {
        if ((long) height * width != tiles.cols()) {
            throw new IllegalArgumentException("tiles have " + tiles.cols() + " pixels, not " + height + "×" + width);
        }
        int count = tiles.rows();
        int gridRows = (count + columns - 1) / columns;
        int tileW = width * scale + GAP;
        int tileH = height * scale + GAP;
        BufferedImage image = new BufferedImage(columns * tileW + GAP, gridRows * tileH + GAP,
                BufferedImage.TYPE_BYTE_GRAY);
        var raster = image.getRaster();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                raster.setSample(x, y, 0, 160);
            }
        }
        double[] pixels = new double[tiles.cols()];
        for (int t = 0; t < count; t++) {
            tiles.copyRow(t, pixels);
            double max = 0;
            for (double p : pixels) {
                max = Math.max(max, p);
            }
            int ox = GAP + (t % columns) * tileW;
            int oy = GAP + (t / columns) * tileH;
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    double v = max > 0 ? pixels[r * width + c] / max : 0;
                    int grey = 255 - (int) Math.round(255 * Math.min(1, Math.max(0, v)));
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            raster.setSample(ox + c * scale + dx, oy + r * scale + dy, 0, grey);
                        }
                    }
                }
            }
        }
        return image;
    }

    /** Writes a PNG atomically (temporary file in the same folder, then moved into place). */
    public static void writePng(BufferedImage image, Path file) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this Java runtime");
            }
        });
    }
}
