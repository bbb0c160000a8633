package org.jnmf.bench;

import java.util.SplittableRandom;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;

/** Benchmark inputs: shapes written "n×m×k" (or "NxMxK") and seeded uniform matrices. */
final class Shapes {
    private Shapes() {
    }

    static int[] parse(String shape) {
        String[] parts = shape.split("[x×]");
        if (parts.length != 3) {
            throw new IllegalArgumentException("shape must be NxMxK, got " + shape);
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    /** Uniform [0, 1) entries from a fixed seed, so every backend sees the same numbers. */
    static DenseMatrix uniform(int rows, int cols, Precision precision, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DenseMatrix.Builder b = new DenseMatrix.Builder(rows, cols, precision);
        double[] row = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextDouble();
            }
            b.setRow(i, row);
        }
        return b.build();
    }

    static double[] uniform(int count, long seed) {
        return new SplittableRandom(seed).doubles(count).toArray();
    }
}
