package org.jnmf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Random test matrices with known structure. */
public final class TestMatrices {
    private TestMatrices() {
    }

    /** Uniform [0, 1) entries. */
    public static double[] uniform(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[length];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble();
        }
        return x;
    }

    /** V = W0·H0 (+ optional uniform noise of the given amplitude), W0 and H0 uniform on [0, 1). */
    public static DenseMatrix lowRank(int n, int m, int k, double noise, long seed) {
        double[] w = uniform(n * k, seed);
        double[] h = uniform(k * m, seed + 1);
        SplittableRandom random = new SplittableRandom(seed + 2);
        double[] v = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * m + j];
                }
                v[i * m + j] = s + noise * random.nextDouble();
            }
        }
        return DenseMatrix.wrap(n, m, v);
    }

    /** A sparse non-negative matrix with about {@code density}·n·m entries of 1 + a small integer. */
    public static SparseMatrix sparseCounts(int n, int m, double density, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DenseMatrix.Builder b = new DenseMatrix.Builder(n, m, Precision.DOUBLE);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (random.nextDouble() < density) {
                    b.set(i, j, 1 + random.nextInt(5));
                }
            }
        }
        return SparseMatrix.fromDense(b.build());
    }

    /**
     * Uniform [0, 1) data in one of the storage layouts the backends must agree on: {@code "blocks"} (dense,
     * a third of the rows per block), {@code "sparse"} (counts, 20 % non-zero) or anything else (dense, one block).
     */
    public static Matrix ofKind(int n, int m, String kind, long seed) {
        DenseMatrix dense = DenseMatrix.wrap(n, m, uniform(n * m, seed));
        return switch (kind) {
            case "blocks" -> reblocked(dense, Math.max(1, n / 3));
            case "sparse" -> sparseCounts(n, m, 0.2, seed);
            default -> dense;
        };
    }

    /** The same values stored in more, smaller row blocks. */
    public static DenseMatrix reblocked(DenseMatrix x, int blockRows) {
        DenseMatrix.Builder b = new DenseMatrix.Builder(x.rows(), x.cols(), x.precision(), blockRows);
        double[] row = new double[x.cols()];
        for (int i = 0; i < x.rows(); i++) {
            x.copyRow(i, row);
            b.setRow(i, row);
        }
        return b.build();
    }

    /** Largest |a_i − b_i| over the largest |b_i| (0 when both are all zeros). */
    public static double relativeDifference(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /**
     * Samples from {@code groups} clear clusters (row i in group i mod groups): each group a random sparse
     * non-negative profile over m features (about 30% non-zero, exponential values, so groups overlap), each
     * row its group's profile times a factor in [0.5, 1.5] plus uniform noise up to 0.05.
     */
    public static DenseMatrix clusters(int groups, int n, int m, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] profiles = new double[groups][m];
        for (double[] p : profiles) {
            for (int j = 0; j < m; j++) {
                p[j] = random.nextDouble() < 0.3 ? -Math.log(1 - random.nextDouble()) : 0;
            }
        }
        double[][] v = new double[n][m];
        for (int i = 0; i < n; i++) {
            double scale = 0.5 + random.nextDouble();
            for (int j = 0; j < m; j++) {
                v[i][j] = profiles[i % groups][j] * scale + 0.05 * random.nextDouble();
            }
        }
        return DenseMatrix.of(v);
    }

    /** The same values as {@code v}, in native memory from {@link OffHeap}. */
    public static DenseMatrix offHeap(DenseMatrix v) {
        boolean single = v.precision() == Precision.SINGLE;
        MemorySegment s = OffHeap.allocate(v.storedEntries() * v.precision().bytes(), "a test matrix");
        double[] row = new double[v.cols()];
        for (int i = 0; i < v.rows(); i++) {
            v.copyRow(i, row);
            for (int j = 0; j < v.cols(); j++) {
                long at = (long) i * v.cols() + j;
                if (single) {
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, at, (float) row[j]);
                } else {
                    s.setAtIndex(ValueLayout.JAVA_DOUBLE, at, row[j]);
                }
            }
        }
        return DenseMatrix.wrap(v.rows(), v.cols(), v.precision(), s);
    }
}
