package org.jnmf.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.jnmf.DenseMatrix;
import org.jnmf.SparseMatrix;

/** Test matrices: V = max(W0·H0 + noise, 0), dense or with most entries zeroed. */
final class Problems {
    private Problems() {
    }

    static DenseMatrix lowRankPlusNoise(int n, int m, int k, long seed) {
        Random random = new Random(seed);
        double[] w = new double[n * k];
        double[] h = new double[k * m];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextDouble();
        }
        for (int i = 0; i < h.length; i++) {
            h[i] = random.nextDouble();
        }
        double[] v = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * m + j];
                }
                v[i * m + j] = Math.max(0, s + 0.1 * random.nextGaussian());
            }
        }
        return DenseMatrix.wrap(n, m, v);
    }

    /** Keeps each entry of {@code dense} with probability {@code density}. */
    static SparseMatrix sparsify(DenseMatrix dense, double density, long seed) {
        Random random = new Random(seed);
        double[] v = dense.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (random.nextDouble() >= density) {
                v[i] = 0;
            }
        }
        return SparseMatrix.fromDense(DenseMatrix.wrap(dense.rows(), dense.cols(), v));
    }

    static List<Vector> rows(DenseMatrix v) {
        List<Vector> rows = new ArrayList<>(v.rows());
        for (int i = 0; i < v.rows(); i++) {
            double[] row = new double[v.cols()];
            v.copyRow(i, row);
            rows.add(Vectors.dense(row));
        }
        return rows;
    }

    static List<Vector> rows(SparseMatrix v) {
        List<Vector> rows = new ArrayList<>(v.rows());
        int[] start = v.rowStart();
        for (int i = 0; i < v.rows(); i++) {
            int[] idx = java.util.Arrays.copyOfRange(v.columnIndices(), start[i], start[i + 1]);
            double[] val = java.util.Arrays.copyOfRange(v.values(), start[i], start[i + 1]);
            rows.add(Vectors.sparse(v.cols(), idx, val));
        }
        return rows;
    }

    static JavaRDD<Vector> rdd(List<Vector> rows, int partitions) {
        return SharedSpark.context().parallelize(rows, partitions);
    }

    /** max |a − b| / max |b|. */
    static double relativeDifference(DenseMatrix a, DenseMatrix b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        return diff / scale;
    }
}
